//! Points and circles on the Earth.

/// Mean Earth radius (IUGG), metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;
/// Half the equator: no circle needs a larger radius to cover the whole planet.
pub const MAX_RADIUS_M: f64 = 20_037_508.0;

/// Check a latitude in degrees.
pub fn latitude(value: f64) -> Result<f64, String> {
    if value.is_finite() && (-90.0..=90.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "must be a latitude between -90 and 90, got {value}"
        ))
    }
}

/// Check a longitude in degrees.
pub fn longitude(value: f64) -> Result<f64, String> {
    if value.is_finite() && (-180.0..=180.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "must be a longitude between -180 and 180, got {value}"
        ))
    }
}

/// Check a radius in metres.
pub fn radius(value: f64) -> Result<f64, String> {
    if value.is_finite() && value > 0.0 && value <= MAX_RADIUS_M {
        Ok(value)
    } else {
        Err(format!(
            "must be a radius in metres greater than 0 and at most {MAX_RADIUS_M}, got {value}"
        ))
    }
}

/// Great-circle distance in metres (haversine).
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_distances() {
        // Paris to London, about 344 km.
        let d = distance_m(48.8566, 2.3522, 51.5074, -0.1278);
        assert!((d - 343_500.0).abs() < 1_500.0, "{d}");
        assert_eq!(distance_m(10.0, 20.0, 10.0, 20.0), 0.0);
        // Across the antimeridian is short.
        assert!(distance_m(0.0, 179.9, 0.0, -179.9) < 25_000.0);
    }

    #[test]
    fn rejects_impossible_coordinates() {
        assert!(latitude(91.0).is_err());
        assert!(longitude(-180.5).is_err());
        assert!(radius(0.0).is_err());
        assert!(latitude(f64::NAN).is_err());
    }

    proptest! {
        #[test]
        fn symmetric_and_bounded(a in -90.0f64..90.0, b in -180.0f64..180.0, c in -90.0f64..90.0, d in -180.0f64..180.0) {
            let x = distance_m(a, b, c, d);
            prop_assert!((x - distance_m(c, d, a, b)).abs() < 1e-6);
            prop_assert!((0.0..=MAX_RADIUS_M + 1.0).contains(&x));
        }
    }
}

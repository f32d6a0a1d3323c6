//! Every word a person reads in the flow, in English and Spanish, chosen by the SDK's
//! `language` (`es`, `es-MX`, …; anything else is English). A template field's label is
//! the template's own; the standard identity fields have theirs here in both languages.

/// The words of one language.
pub struct Text {
    pub lang: &'static str,
    pub title: &'static str,
    pub close: &'static str,
    pub consent_heading: &'static str,
    pub consent_body: &'static str,
    pub consent_agree: &'static str,
    pub begin: &'static str,
    pub fields_heading: &'static str,
    pub fields_hint: &'static str,
    pub required: &'static str,
    pub optional: &'static str,
    pub continue_: &'static str,
    pub fix_errors: &'static str,
    pub bad_email: &'static str,
    pub bad_date: &'static str,
    pub bad_number: &'static str,
    pub missing: &'static str,
    pub bad_value: &'static str,
    pub review_heading: &'static str,
    pub review_hint: &'static str,
    pub not_given: &'static str,
    pub edit: &'static str,
    pub submit: &'static str,
    pub done_completed: &'static str,
    pub done_completed_body: &'static str,
    pub done_review: &'static str,
    pub done_review_body: &'static str,
    pub done_failed: &'static str,
    pub done_failed_body: &'static str,
    pub cancelled_heading: &'static str,
    pub cancelled_body: &'static str,
    pub link_heading: &'static str,
    pub link_body: &'static str,
    pub error_heading: &'static str,
    pub error_retry: &'static str,
    pub yes: &'static str,
    pub no: &'static str,
    pub step: &'static str,
    pub of: &'static str,
    pub id_heading: &'static str,
    pub id_hint: &'static str,
    pub country: &'static str,
    pub document_type: &'static str,
    pub licence: &'static str,
    pub passport: &'static str,
    pub id_card: &'static str,
    pub front_photo: &'static str,
    pub back_photo: &'static str,
    pub back_hint: &'static str,
    pub photo_hint: &'static str,
    pub retake_heading: &'static str,
    pub selfie_heading: &'static str,
    pub selfie_hint: &'static str,
    pub take_photo: &'static str,
    pub start_camera: &'static str,
    pub selfie_file: &'static str,
    pub camera_unavailable: &'static str,
    pub identity_document: &'static str,
    pub selfie: &'static str,
    pub received: &'static str,
    /// Why a photo must be taken again, by the failed check's reason.
    pub reasons: &'static [(&'static str, &'static str)],
}

pub const ENGLISH: Text = Text {
    lang: "en",
    title: "Verify your identity",
    close: "Leave verification",
    consent_heading: "Before you start",
    consent_body: "We will ask for a few details about you to confirm who you are. They are sent to the company that asked you to verify, and kept only as long as it must keep them.",
    consent_agree: "I agree that my details are used to verify my identity",
    begin: "Begin",
    fields_heading: "Your details",
    fields_hint: "Fields marked required must be filled in.",
    required: "required",
    optional: "optional",
    continue_: "Continue",
    fix_errors: "Some details need another look",
    bad_email: "Enter an email address, like name@example.com.",
    bad_date: "Enter a date, like 1990-12-31.",
    bad_number: "Enter a number.",
    missing: "This is needed to finish.",
    bad_value: "Check this value.",
    review_heading: "Check your details",
    review_hint: "Nothing is sent for verification until you submit.",
    not_given: "not given",
    edit: "Change details",
    submit: "Submit",
    done_completed: "Thank you: you are done",
    done_completed_body: "Your details were received and checked. You can close this window.",
    done_review: "Thank you: we are taking a closer look",
    done_review_body: "Your details were received. Someone will review them; you need to do nothing more now.",
    done_failed: "We could not verify you",
    done_failed_body: "Your details did not match what we hold. Please contact the company that asked you to verify.",
    cancelled_heading: "You left the verification",
    cancelled_body: "Nothing more was sent. You can come back to it later from the same page or link.",
    link_heading: "Verify your identity",
    link_body: "This link opens your verification once. Continue when you are ready to finish it.",
    error_heading: "Something went wrong",
    error_retry: "Please try again in a moment.",
    yes: "Yes",
    no: "No",
    step: "Step",
    of: "of",
    id_heading: "Photograph your ID",
    id_hint: "Use a document that is yours and still valid. Lay it flat, in good light, and fill the photo with it.",
    country: "Country that issued it",
    document_type: "Type of document",
    licence: "Driver's licence",
    passport: "Passport",
    id_card: "Identity card",
    front_photo: "Front (the side with your photo)",
    back_photo: "Back",
    back_hint: "Needed for a driver's licence or an identity card.",
    photo_hint: "A JPEG or PNG photo, up to 15 MB.",
    retake_heading: "Please take the photo again",
    selfie_heading: "Take a selfie",
    selfie_hint: "Face the camera in good light, with nothing covering your face and no one else in the picture.",
    take_photo: "Take photo",
    start_camera: "Use my camera",
    selfie_file: "Your photo",
    camera_unavailable: "The camera could not be opened. You can take the photo with your device instead.",
    identity_document: "Identity document",
    selfie: "Selfie",
    received: "received",
    reasons: &[
        ("blurry", "The photo is blurred. Hold still and let the camera focus."),
        ("screen_image", "This looks like a screenshot or a picture of a screen. Photograph the document itself."),
        ("not_an_image", "The file is not a photo we can read. Use a JPEG or PNG photo."),
        ("too_large", "The photo is larger than 15 MB. Take it again at a lower resolution."),
        ("missing_photo", "Add a photo of each side asked for."),
        ("too_small", "The photo is too small. Move closer so the document fills it."),
        ("barcode_not_found", "We could not read the barcode on the back. Photograph the whole back, flat and in focus."),
        ("mrz_not_found", "We could not read the lines of letters and numbers at the bottom of the page. Photograph the whole page, flat and in focus."),
        ("no_face", "We could not see a face. Face the camera with your face uncovered."),
        ("multiple_faces", "We saw more than one face. Make sure you are alone in the picture."),
    ],
};

pub const SPANISH: Text = Text {
    lang: "es",
    title: "Verifique su identidad",
    close: "Salir de la verificación",
    consent_heading: "Antes de empezar",
    consent_body: "Le pediremos algunos datos para confirmar quién es usted. Se envían a la empresa que le pidió verificarse y se conservan solo el tiempo que deba conservarlos.",
    consent_agree: "Acepto que mis datos se usen para verificar mi identidad",
    begin: "Empezar",
    fields_heading: "Sus datos",
    fields_hint: "Los campos marcados como obligatorios deben completarse.",
    required: "obligatorio",
    optional: "opcional",
    continue_: "Continuar",
    fix_errors: "Algunos datos necesitan otra revisión",
    bad_email: "Escriba un correo electrónico, como nombre@ejemplo.com.",
    bad_date: "Escriba una fecha, como 1990-12-31.",
    bad_number: "Escriba un número.",
    missing: "Este dato es necesario para terminar.",
    bad_value: "Revise este dato.",
    review_heading: "Revise sus datos",
    review_hint: "No se envía nada para verificar hasta que lo confirme.",
    not_given: "sin indicar",
    edit: "Cambiar datos",
    submit: "Enviar",
    done_completed: "Gracias: ha terminado",
    done_completed_body: "Recibimos y comprobamos sus datos. Puede cerrar esta ventana.",
    done_review: "Gracias: los estamos revisando",
    done_review_body: "Recibimos sus datos. Una persona los revisará; no tiene que hacer nada más por ahora.",
    done_failed: "No pudimos verificarle",
    done_failed_body: "Sus datos no coinciden con los que tenemos. Póngase en contacto con la empresa que le pidió verificarse.",
    cancelled_heading: "Salió de la verificación",
    cancelled_body: "No se envió nada más. Puede volver más tarde desde la misma página o enlace.",
    link_heading: "Verifique su identidad",
    link_body: "Este enlace abre su verificación una sola vez. Continúe cuando esté listo para terminarla.",
    error_heading: "Algo salió mal",
    error_retry: "Inténtelo de nuevo en un momento.",
    yes: "Sí",
    no: "No",
    step: "Paso",
    of: "de",
    id_heading: "Fotografíe su documento",
    id_hint: "Use un documento suyo y vigente. Póngalo plano, con buena luz, y que ocupe toda la foto.",
    country: "País que lo emitió",
    document_type: "Tipo de documento",
    licence: "Permiso de conducir",
    passport: "Pasaporte",
    id_card: "Documento de identidad",
    front_photo: "Anverso (el lado con su foto)",
    back_photo: "Reverso",
    back_hint: "Necesario para un permiso de conducir o un documento de identidad.",
    photo_hint: "Una foto JPEG o PNG, de hasta 15 MB.",
    retake_heading: "Vuelva a tomar la foto",
    selfie_heading: "Hágase un selfi",
    selfie_hint: "Mire a la cámara con buena luz, sin nada que le cubra la cara y sin nadie más en la imagen.",
    take_photo: "Tomar foto",
    start_camera: "Usar mi cámara",
    selfie_file: "Su foto",
    camera_unavailable: "No se pudo abrir la cámara. Puede tomar la foto con su dispositivo.",
    identity_document: "Documento de identidad",
    selfie: "Selfi",
    received: "recibido",
    reasons: &[
        ("blurry", "La foto está borrosa. No se mueva y deje que la cámara enfoque."),
        ("screen_image", "Parece una captura de pantalla o la foto de una pantalla. Fotografíe el propio documento."),
        ("not_an_image", "El archivo no es una foto que podamos leer. Use una foto JPEG o PNG."),
        ("too_large", "La foto supera los 15 MB. Tómela de nuevo con menos resolución."),
        ("missing_photo", "Añada una foto de cada lado que se pide."),
        ("too_small", "La foto es demasiado pequeña. Acérquese para que el documento la llene."),
        ("barcode_not_found", "No pudimos leer el código de barras del reverso. Fotografíe todo el reverso, plano y enfocado."),
        ("mrz_not_found", "No pudimos leer las líneas de letras y números al pie de la página. Fotografíe la página entera, plana y enfocada."),
        ("no_face", "No vimos ninguna cara. Mire a la cámara con la cara descubierta."),
        ("multiple_faces", "Vimos más de una cara. Asegúrese de estar solo en la imagen."),
    ],
};

/// The language a `language` parameter asks for: `es…` is Spanish, anything else English.
pub fn for_language(language: &str) -> &'static Text {
    let primary = language
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match primary.as_str() {
        "es" => &SPANISH,
        _ => &ENGLISH,
    }
}

/// What a person reads about a photo to take again: the failed checks' reasons in their
/// words (each once).
pub fn retake_reasons<'a>(
    text: &Text,
    reasons: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for reason in reasons {
        if let Some((_, words)) = text.reasons.iter().find(|(r, _)| *r == reason) {
            if !out.contains(words) {
                out.push(words);
            }
        }
    }
    out
}

/// The standard identity fields' labels, in English and Spanish.
const LABELS: &[(&str, &str, &str)] = &[
    ("name-first", "First name", "Nombre"),
    ("name-middle", "Middle name", "Segundo nombre"),
    ("name-last", "Last name", "Apellidos"),
    ("birthdate", "Date of birth", "Fecha de nacimiento"),
    ("address-street-1", "Street address", "Dirección"),
    ("address-street-2", "Address line 2", "Dirección (línea 2)"),
    ("address-city", "City", "Ciudad"),
    (
        "address-subdivision",
        "State or province",
        "Provincia o estado",
    ),
    ("address-postal-code", "Postal code", "Código postal"),
    (
        "address-country-code",
        "Country (two letters, e.g. US)",
        "País (dos letras, p. ej. ES)",
    ),
    ("email-address", "Email address", "Correo electrónico"),
    ("phone-number", "Phone number", "Teléfono"),
    ("identification-number", "ID number", "Número de documento"),
    ("identification-class", "ID type", "Tipo de documento"),
];

/// A field's label: the standard one in this language, else the template's, else its key.
pub fn label(text: &Text, key: &str, template_label: Option<&str>) -> String {
    if let Some((_, en, es)) = LABELS.iter().find(|(k, _, _)| *k == key) {
        return if text.lang == "es" { es } else { en }.to_string();
    }
    template_label
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| key.replace(['-', '_'], " "))
}

/// A text of the template's translations (the `inquiry-template-translations` resource's
/// rows), as the API picked it for the person's language (the flow asks with
/// `Accept-Language`: each row holds the one value for it, or none).
pub fn translated(
    rows: &serde_json::Value,
    step: &str,
    component: &str,
    attribute: &str,
) -> Option<String> {
    let row = rows.as_array()?.iter().find(|r| {
        r["step"] == step && r["component"] == component && r["attribute_name"] == attribute
    })?;
    row["locale_values"].as_array()?.first()?["value"]
        .as_str()
        .map(str::to_string)
}

/// What a person reads about a value the API refused: by the field's kind in their
/// language; in English, for other values, the API's own message without the request
/// path it starts with (`data.attributes.fields.employer must be ...`).
pub fn field_problem(text: &Text, kind: &str, api_message: &str) -> String {
    if api_message.contains("is required") {
        return text.missing.to_string();
    }
    match kind {
        "email" => text.bad_email.to_string(),
        "date" => text.bad_date.to_string(),
        "number" => text.bad_number.to_string(),
        _ if text.lang == "en" => {
            let plain = api_message
                .strip_prefix("data.attributes.fields.")
                .and_then(|rest| rest.split_once(' '))
                .map_or(api_message, |(_, message)| message);
            let mut chars = plain.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => text.bad_value.to_string(),
            }
        }
        _ => text.bad_value.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spanish_by_any_spanish_tag_and_english_otherwise() {
        assert_eq!(for_language("es-MX").lang, "es");
        assert_eq!(for_language("ES").lang, "es");
        assert_eq!(for_language("fr").lang, "en");
        assert_eq!(for_language("").lang, "en");
        assert_eq!(
            label(&SPANISH, "birthdate", Some("Birthdate")),
            "Fecha de nacimiento"
        );
        assert_eq!(label(&ENGLISH, "employer", Some("Employer")), "Employer");
        assert_eq!(label(&ENGLISH, "employer_name", None), "employer name");
        let rows = serde_json::json!([{"step": "details", "component": "employer", "attribute_name": "label",
            "locale_values": [{"locale": "es-MX", "value": "Empresa"}]},
            {"step": "details", "component": "employer", "attribute_name": "hint", "locale_values": []}]);
        assert_eq!(
            translated(&rows, "details", "employer", "label").as_deref(),
            Some("Empresa")
        );
        assert_eq!(translated(&rows, "details", "employer", "hint"), None);
        assert_eq!(translated(&rows, "details", "name-first", "label"), None);
        let api = "data.attributes.fields.employer must be at most 1024 characters";
        assert_eq!(
            field_problem(&ENGLISH, "text", api),
            "Must be at most 1024 characters"
        );
        assert_eq!(field_problem(&SPANISH, "text", api), "Revise este dato.");
        assert_eq!(
            field_problem(
                &SPANISH,
                "email",
                "data.attributes.fields.email-address must be an email address"
            ),
            SPANISH.bad_email
        );
    }
}

-- Who made each change (`vigil_domain::actor::Actor` as JSON). Events written before this
-- migration have none.
ALTER TABLE events ADD COLUMN actor TEXT;

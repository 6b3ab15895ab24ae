-- 010_zones_and_settings.sql — the order of zones, and the station's settings (SPEC §4
-- zones, settings; docs/zones.md, docs/settings.md).
--
-- Zones are shown in the order the household chose: zones.position (001) is that order,
-- 0 first; PUT /api/zones/order rewrites it, a new zone goes last. Zones made before the
-- zones module existed all had position 0: number them in the order they were shown, by
-- name, so the first reorder starts from what people saw.
WITH ranked AS (
    SELECT id, row_number() OVER (ORDER BY lower(name), name, id) - 1 AS position FROM zones
)
UPDATE zones z SET position = r.position FROM ranked r WHERE r.id = z.id;

-- One row per station (station-migrate creates it with the station row). The station's
-- name stays on station.name, where the cloud link renames it (station_renamed).
-- The Wi-Fi the station-agent reports (PUT /api/settings/agent) is what provisioning hands
-- to new devices; its password is stored only sealed (AES-256-GCM, lib/secretbox.h) with
-- the key in settings.secret_key_file, so a dump of the database alone does not reveal it.
CREATE TABLE station_settings (
    station_id            uuid PRIMARY KEY REFERENCES station (id) ON DELETE CASCADE,
    timezone              text NOT NULL DEFAULT 'UTC',
    locale                text NOT NULL DEFAULT 'en',
    temperature_unit      text NOT NULL DEFAULT 'C' CHECK (temperature_unit IN ('C', 'F')),
    auto_ota              boolean NOT NULL DEFAULT false,
    wifi_ssid             text,
    wifi_password_sealed  text CHECK (wifi_password_sealed LIKE 'v1.%'),
    wifi_updated_at       timestamptz,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
INSERT INTO station_settings (station_id) SELECT id FROM station;

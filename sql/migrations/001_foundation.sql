-- 001_foundation.sql — the station, its people, their sessions, the device registry,
-- devices and their command outbox.
--
-- Ids are UUIDs from gen_random_uuid() except device_types.id ('climate', 'light', ...).
-- Secrets (refresh tokens, device tokens) are stored only as SHA-256 hex digests.

CREATE TABLE station (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL DEFAULT 'Smart Station',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- There is exactly one station row: the MQTT stationId.
CREATE UNIQUE INDEX station_singleton ON station ((true));

CREATE TABLE users (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL,
    name            text,
    role            text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    source          text NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'cloud')),
    password_hash   text,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    last_login_at   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE station_members (
    station_id  uuid NOT NULL REFERENCES station (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (station_id, user_id)
);

-- One row per issued refresh token; a family is one login session. Rotation revokes the
-- presented token and issues the next in the same family; presenting a revoked token of
-- a family revokes the whole family (reuse detection).
CREATE TABLE refresh_tokens (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id     uuid NOT NULL,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash    text NOT NULL UNIQUE,
    user_agent    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_used_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    rotated_at    timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user ON refresh_tokens (user_id) WHERE revoked_at IS NULL;
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (expires_at);

-- The device type registry (SPEC §4). Built-in rows are rewritten by station-migrate on
-- every run; other rows come from PUT /api/device-types/:id.
CREATE TABLE device_types (
    id            text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    name          text NOT NULL,
    category      text NOT NULL CHECK (category IN ('sensor', 'actuator')),
    capabilities  jsonb NOT NULL DEFAULT '[]',
    commands      jsonb NOT NULL DEFAULT '[]',
    events        jsonb NOT NULL DEFAULT '[]',
    periodic      boolean NOT NULL DEFAULT false,
    built_in      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);

-- Zones group devices; their REST module comes later, the table is needed for zoneId now.
CREATE TABLE zones (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name        text NOT NULL,
    position    integer NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX zones_name_key ON zones (lower(name));

CREATE TABLE devices (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id        text NOT NULL UNIQUE,
    name               text NOT NULL,
    type               text NOT NULL REFERENCES device_types (id),
    zone_id            uuid REFERENCES zones (id) ON DELETE SET NULL,
    status             text NOT NULL DEFAULT 'unknown' CHECK (status IN ('online', 'offline', 'unknown')),
    state              jsonb NOT NULL DEFAULT '{}',
    firmware_version   text,
    chip               text,
    kit_tag            text,
    token_hash         text NOT NULL UNIQUE,
    last_heartbeat_at  timestamptz,
    last_seen_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_zone ON devices (zone_id);
CREATE INDEX devices_type ON devices (type);

-- The command outbox: a worker inserts a queued row and NOTIFYs device_commands in the
-- same transaction; mqttd publishes unexpired queued rows and marks them sent.
CREATE TABLE device_commands (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id   uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    action      text NOT NULL,
    params      jsonb NOT NULL DEFAULT '{}',
    status      text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'expired', 'failed')),
    requested_by uuid REFERENCES users (id) ON DELETE SET NULL,
    error       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    sent_at     timestamptz
);
CREATE INDEX device_commands_queued ON device_commands (expires_at) WHERE status = 'queued';
CREATE INDEX device_commands_device ON device_commands (device_id, created_at DESC);

-- 013_firmware.sql — the firmware store (SPEC §4 firmware, docs/firmware.md).
--
-- One row per image in the firmware directory (firmware.dir): the file itself lives there as
-- file_name, and nginx serves it once a worker said yes. A device type has one image per
-- version; the same bytes uploaded again change nothing (the firmware module compares
-- sha256), other bytes are a conflict. device_type is the type as devices carry it
-- ("light", never the agent's "esp32-light").
CREATE TABLE firmwares (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_type text NOT NULL CHECK (device_type ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    version     text NOT NULL CHECK (version ~ '^[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}$'),
    file_name   text NOT NULL UNIQUE CHECK (file_name ~ '^[0-9A-Za-z][0-9A-Za-z.+_@-]{0,200}\.bin$'),
    size        bigint NOT NULL CHECK (size > 0),
    sha256      text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    source      text NOT NULL CHECK (source IN ('upload', 'agent')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (device_type, version)
);

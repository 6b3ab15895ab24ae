-- 014_ota.sql — over-the-air updates: the OTA log and its state machine (SPEC §4 ota,
-- §5, §9 ota-timeout; docs/ota.md).
--
-- One ota_logs row per update of one device to one firmware image. Its states:
--
--     pending ──(a slot is free and the device is online)──► sent ──► success
--                                                              │  └──► failed   (report success:false)
--                                                              └─────► timeout  (10 min in sent)
--
-- Every transition is written here and only here, by the functions below (ota_finish is
-- the one that ends updates, ota_dispatch the one that sends them); the programs
-- that cause one (api-ota and api-firmware, station-mqttd's handshake, station-cron's
-- ota-timeout) call a function and announce the rows it returns as `ota.progress` pushes
-- (lib/ota.h: the columns and the map of the push). Each function also records one
-- device_events row (kind ota_progress, action = the new status) per transition, and
-- sends the next pending updates whenever a slot may have freed: at most max_parallel
-- (ota.max_parallel) rows are `sent` at once. Sending one is an ota_update command in
-- the device_commands outbox plus pg_notify('device_commands'), which station-mqttd
-- publishes like any other command. Two callers never send past the limit together: the
-- dispatch holds a transaction-scoped advisory lock while it counts and sends.
--
-- A device has at most one active (pending or sent) update: ota_logs_active.

ALTER TABLE device_events DROP CONSTRAINT device_events_kind_check;
ALTER TABLE device_events ADD CONSTRAINT device_events_kind_check
    CHECK (kind IN ('status_changed', 'command_sent', 'event_received', 'state_transition', 'ota_progress'));

CREATE TABLE ota_logs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id      uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    -- A finished update outlives its image (firmware_id becomes NULL); an active one
    -- keeps it: api-firmware answers 409 first, the check below is the backstop.
    firmware_id    uuid REFERENCES firmwares (id) ON DELETE SET NULL,
    from_version   text,
    to_version     text NOT NULL,
    status         text NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'success', 'failed', 'timeout')),
    error_message  text CHECK (length(error_message) <= 500),
    -- What the device is told: where to download the image (reachable by the device,
    -- docs/ota.md "The download URL") and the SHA-256 it must have.
    download_url   text NOT NULL CHECK (length(download_url) <= 1000),
    sha256         text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    command_id     uuid REFERENCES device_commands (id) ON DELETE SET NULL,
    -- clock_timestamp(): the updates one job queues keep the order it chose (by device name)
    -- and are sent in that order.
    created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    sent_at        timestamptz,
    finished_at    timestamptz,
    CONSTRAINT ota_logs_active_has_image CHECK (status NOT IN ('pending', 'sent') OR firmware_id IS NOT NULL)
);
CREATE UNIQUE INDEX ota_logs_active ON ota_logs (device_id) WHERE status IN ('pending', 'sent');
CREATE INDEX ota_logs_feed ON ota_logs (created_at DESC, id DESC);
CREATE INDEX ota_logs_pending ON ota_logs (created_at, id) WHERE status = 'pending';
CREATE INDEX ota_logs_sent ON ota_logs (sent_at) WHERE status = 'sent';
CREATE INDEX ota_logs_firmware ON ota_logs (firmware_id) WHERE status IN ('pending', 'sent');

-- The numbers of a version, to order versions: '0.1.32' → {0,1,32}, 'v1.2-rc3' → {1,2,3}.
CREATE FUNCTION ota_version_key(version text) RETURNS numeric[]
LANGUAGE sql IMMUTABLE AS $$
    SELECT COALESCE(array_agg(m[1]::numeric ORDER BY n), '{}')
    FROM regexp_matches(COALESCE(version, ''), '[0-9]+', 'g') WITH ORDINALITY AS x(m, n)
$$;

-- One transition: what every function below returns, row by row (lib/ota.h reads them).
CREATE TYPE ota_transition AS (
    ota_id uuid, device_id uuid, device_name text, device_type text, firmware_id uuid,
    from_version text, to_version text, status text, error_message text
);

-- The transitions of the given rows, as they are now: one device_events row each, and
-- the rows themselves for the caller's ota.progress pushes.
CREATE FUNCTION ota_journal(ids uuid[]) RETURNS SETOF ota_transition
LANGUAGE sql VOLATILE AS $$
    WITH moved AS (
        SELECT o.id, o.device_id, d.name, d.type, o.firmware_id, o.from_version, o.to_version, o.status,
               o.error_message, o.created_at
        FROM ota_logs o JOIN devices d ON d.id = o.device_id
        WHERE o.id = ANY (ids)),
    recorded AS (
        INSERT INTO device_events (device_id, kind, action, data, created_at)
        SELECT m.device_id, 'ota_progress', m.status,
               jsonb_build_object('otaId', m.id, 'firmwareId', m.firmware_id, 'fromVersion', m.from_version,
                                  'toVersion', m.to_version, 'error', m.error_message),
               clock_timestamp() -- not now(): queued and sent in one transaction stay in order
        FROM moved m)
    SELECT m.id, m.device_id, m.name, m.type, m.firmware_id, m.from_version, m.to_version, m.status,
           m.error_message
    FROM moved m ORDER BY m.created_at, m.id
$$;

-- pending → sent: while fewer than max_parallel rows are sent, the oldest pending update
-- of an online device gets its ota_update command. The advisory lock makes concurrent
-- callers take turns, so the count they read is the count they leave.
CREATE FUNCTION ota_dispatch(max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    busy integer;
    r record;
    cmd uuid;
    ids uuid[] := '{}';
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('ota_dispatch', 0));
    SELECT count(*) INTO busy FROM ota_logs WHERE status = 'sent';
    IF busy >= max_parallel THEN
        RETURN;
    END IF;
    FOR r IN
        SELECT o.id, o.device_id, o.download_url, o.to_version, o.firmware_id, o.sha256
        FROM ota_logs o JOIN devices d ON d.id = o.device_id
        WHERE o.status = 'pending' AND d.status = 'online'
        ORDER BY o.created_at, o.id
        LIMIT max_parallel - busy
        -- A device row locked elsewhere is skipped, not waited for: a handshake holds its
        -- device and then waits for this lock (ota_handshake), so waiting here would
        -- deadlock; that handshake sends the device's update itself.
        FOR UPDATE OF o SKIP LOCKED FOR KEY SHARE OF d SKIP LOCKED
    LOOP
        INSERT INTO device_commands (device_id, action, params, expires_at)
        VALUES (r.device_id, 'ota_update',
                jsonb_build_object('url', r.download_url, 'version', r.to_version,
                                   'firmware_id', r.firmware_id, 'sha256', r.sha256),
                now() + interval '10 minutes')
        RETURNING id INTO cmd;
        PERFORM pg_notify('device_commands', cmd::text);
        UPDATE ota_logs SET status = 'sent', sent_at = now(), command_id = cmd WHERE id = r.id;
        ids := ids || r.id;
    END LOOP;
    RETURN QUERY SELECT * FROM ota_journal(ids);
END
$$;

-- The end of every transition below: record the rows that moved, then send what the
-- freed slots allow.
CREATE FUNCTION ota_settle(ids uuid[], max_parallel integer) RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY SELECT * FROM ota_journal(COALESCE(ids, '{}'));
    RETURN QUERY SELECT * FROM ota_dispatch(max_parallel);
END
$$;

-- New pending updates of devices to an image (chosen: NULL = every device of the image's
-- type on another version; chosen ones must be of its type: api-ota checks), except those
-- already updating; then dispatch.
CREATE FUNCTION ota_enqueue(image uuid, chosen uuid[], url text, max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ids uuid[];
BEGIN
    WITH fw AS (SELECT f.id, f.device_type, f.version, f.sha256 FROM firmwares f WHERE f.id = image FOR SHARE),
    added AS (
        INSERT INTO ota_logs AS o (device_id, firmware_id, from_version, to_version, download_url, sha256)
        SELECT d.id, fw.id, d.firmware_version, fw.version, url, fw.sha256
        FROM fw JOIN devices d ON d.type = fw.device_type
        WHERE (chosen IS NULL AND d.firmware_version IS DISTINCT FROM fw.version) OR d.id = ANY (chosen)
        ORDER BY d.name, d.id
        ON CONFLICT (device_id) WHERE status IN ('pending', 'sent') DO NOTHING
        RETURNING o.id)
    SELECT COALESCE(array_agg(added.id), '{}') INTO ids FROM added;
    RETURN QUERY SELECT * FROM ota_settle(ids, max_parallel);
END
$$;

-- → success | failed | timeout: the given active updates end (finished_at), then dispatch.
CREATE FUNCTION ota_finish(ids uuid[], outcome text, error text, max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    UPDATE ota_logs o SET status = outcome, error_message = error, finished_at = now()
    WHERE o.id = ANY (ids) AND o.status IN ('pending', 'sent');
    RETURN QUERY SELECT * FROM ota_settle(ids, max_parallel);
END
$$;

-- The device's report: its active update of that image (sent, or still pending: a device
-- may update itself after /check) → success | failed. Without one, the report is still
-- logged, as a finished row.
CREATE FUNCTION ota_report(device uuid, image uuid, ok boolean, error text, max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ids uuid[];
    outcome text := CASE WHEN ok THEN 'success' ELSE 'failed' END;
    reason text := CASE WHEN ok THEN NULL ELSE COALESCE(error, 'the device reported a failure') END;
BEGIN
    SELECT array_agg(o.id) INTO ids FROM ota_logs o
    WHERE o.device_id = device AND o.firmware_id = image AND o.status IN ('pending', 'sent');
    IF ids IS NULL THEN
        INSERT INTO ota_logs AS o (device_id, firmware_id, from_version, to_version, status, error_message,
                                   download_url, sha256, finished_at)
        SELECT d.id, f.id, d.firmware_version, f.version, outcome, reason, '', f.sha256, now()
        FROM devices d, firmwares f WHERE d.id = device AND f.id = image
        RETURNING ARRAY[o.id] INTO ids;
    END IF;
    RETURN QUERY SELECT * FROM ota_finish(ids, outcome, reason, max_parallel);
END
$$;

-- → success: the device's handshake says it runs the target version (with or without a
-- report). A device that comes online may also take a pending slot: dispatch when
-- something closed or the device has a pending update.
CREATE FUNCTION ota_handshake(device uuid, version text, max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ids uuid[];
BEGIN
    SELECT array_agg(o.id) INTO ids FROM ota_logs o
    WHERE o.device_id = device AND o.status IN ('pending', 'sent') AND o.to_version = version;
    IF ids IS NOT NULL OR EXISTS (SELECT 1 FROM ota_logs o WHERE o.device_id = device AND o.status = 'pending') THEN
        RETURN QUERY SELECT * FROM ota_finish(ids, 'success', NULL, max_parallel);
    END IF;
END
$$;

-- sent → timeout after timeout_s seconds without an answer (station-cron ota-timeout);
-- then dispatch (also the safety net that sends what waited for an online device).
CREATE FUNCTION ota_time_out(timeout_s integer, max_parallel integer)
RETURNS SETOF ota_transition
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RETURN QUERY SELECT * FROM ota_finish(
        ARRAY(SELECT o.id FROM ota_logs o
              WHERE o.status = 'sent' AND o.sent_at < now() - make_interval(secs => timeout_s)),
        'timeout', format('no answer within %s seconds', timeout_s), max_parallel);
END
$$;

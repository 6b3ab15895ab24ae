-- 006_device_list_version.sql — a version of the device list, for conditional GET.
--
-- GET /api/devices answers with an ETag made of this version (and of its query); a
-- browser that sends it back in If-None-Match gets a 304 without a body when nothing the
-- list shows has changed. The worker reads one row to know, instead of reading and
-- writing the whole list.
--
-- The version moves in the same transaction as the change: any statement that inserts,
-- updates or deletes devices rows bumps it (REST writes, mqttd's state, status and
-- heartbeat updates, cron's heartbeat timeout, a psql session), so a reader that sees
-- the change sees the new version and one that does not sees the old one. A statement
-- that touches no row does not bump it (the cron job that usually finds no silent device).
-- A sequence would not do: nextval() is visible before the commit.
--
-- Lock order: every statement on devices first locks the version row (BEFORE, FOR
-- UPDATE) and bumps it after (AFTER, when rows changed). Taking it first, before any
-- device row, means two writers can never hold each other's locks in opposite order
-- (an AFTER-only bump would let a batch holding the version wait on a device row whose
-- writer waits on the version: a deadlock). The price: transactions that write devices
-- take turns from their first such statement to their commit; on a station that is
-- mqttd's batches and an occasional admin edit.
--
-- The first version is the creation time in microseconds, so a database created again
-- does not hand out the tags of an earlier one.

CREATE TABLE list_versions (
    name text PRIMARY KEY,
    version bigint NOT NULL
);
INSERT INTO list_versions (name, version)
VALUES ('devices', (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);

CREATE FUNCTION list_versions_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM list_versions WHERE name = TG_ARGV[0] FOR UPDATE;
    RETURN NULL;
END
$$;

-- Bumps when the statement changed rows: the transition table of the trigger is "changed".
CREATE FUNCTION list_versions_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'TRUNCATE' THEN
        IF NOT EXISTS (SELECT 1 FROM changed) THEN
            RETURN NULL;
        END IF;
    END IF;
    UPDATE list_versions SET version = version + 1 WHERE name = TG_ARGV[0];
    RETURN NULL;
END
$$;

CREATE TRIGGER devices_list_version_lock BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION list_versions_lock('devices');
-- A trigger with a transition table has one event (PostgreSQL's rule), hence three.
CREATE TRIGGER devices_list_version_insert AFTER INSERT ON devices REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION list_versions_bump('devices');
CREATE TRIGGER devices_list_version_update AFTER UPDATE ON devices REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION list_versions_bump('devices');
CREATE TRIGGER devices_list_version_delete AFTER DELETE ON devices REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION list_versions_bump('devices');
CREATE TRIGGER devices_list_version_truncate AFTER TRUNCATE ON devices
    FOR EACH STATEMENT EXECUTE FUNCTION list_versions_bump('devices');

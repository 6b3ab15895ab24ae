-- 011_members.sql — running a household: the station always keeps an owner, and invites
-- wait in the cloud outbox until the cloud link delivers them (docs/members.md).
--
-- The owner rule is written twice, on purpose. user-management locks the station's owner
-- rows (FOR UPDATE, by user id) before it demotes or removes anyone and answers 409 with
-- a message; the trigger below is the database's own guarantee, for every other writer
-- (psql, cloud-sync, a future import) and for any path that forgets the lock.

-- Refuses a change that leaves a station with members but without an owner. A station
-- with no members at all (a wipe) is allowed.
--
-- Write skew: two transactions demoting two different owners touch different rows, and
-- under READ COMMITTED neither sees the other's change. So every change that takes a
-- role away from an owner first takes one transaction-scoped advisory lock: the second
-- waits until the first has committed, and the count after the lock, a statement of its
-- own, sees it. REPEATABLE READ keeps its first snapshot and could not see it, so an
-- owner change at that level is refused; READ COMMITTED (what every worker and daemon
-- uses) and SERIALIZABLE (whose own checks catch the skew) are fine.
CREATE FUNCTION station_keeps_an_owner() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('transaction_isolation') = 'repeatable read' THEN
        RAISE EXCEPTION 'owners change only under read committed or serializable'
            USING ERRCODE = 'object_not_in_prerequisite_state';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('smart-station:station-owners', 0));
    IF EXISTS (SELECT 1 FROM station_members WHERE station_id = OLD.station_id)
       AND NOT EXISTS (SELECT 1 FROM station_members WHERE station_id = OLD.station_id AND role = 'owner') THEN
        RAISE EXCEPTION 'the station must keep an owner'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'station_keeps_an_owner';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER station_keeps_an_owner
    AFTER UPDATE OF role OR DELETE ON station_members
    FOR EACH ROW WHEN (OLD.role = 'owner')
    EXECUTE FUNCTION station_keeps_an_owner();

-- What waits for the cloud link (SPEC §8): a worker inserts a queued row and NOTIFYs
-- cloud_outbox (payload: the row id) in the same transaction; cloudd drains the queued
-- rows oldest first when it is connected, counts its attempts and marks each sent or
-- failed. Rows survive restarts, so invites work offline. New kinds extend the check.
CREATE TABLE cloud_outbox (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind        text NOT NULL CONSTRAINT cloud_outbox_kind CHECK (kind IN ('invite')),
    payload     jsonb NOT NULL,
    state       text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    last_error  text
);
CREATE INDEX cloud_outbox_queued ON cloud_outbox (created_at) WHERE state = 'queued';
CREATE INDEX cloud_outbox_kind ON cloud_outbox (kind, created_at DESC);

-- 005_device_liveness.sql — the heartbeat-timeout rule, written once.
--
-- An online device that has been silent for longer than mqtt.heartbeat_timeout seconds
-- is offline. Silent since: its last heartbeat, else its last message, else (a row marked
-- online by hand, never heard from) its registration. Two programs apply the rule:
-- station-mqttd when it starts (nothing timed devices out while it was down) and
-- `station-cron heartbeat-timeout` every minute; both call this function, so the rule
-- cannot drift between them.
--
-- Why a function in the schema rather than a statement shared in libstation: the rule is
-- a fact about the devices table, like a constraint, and belongs beside it; each caller
-- keeps its own statement around it (cron records the device_events row in the same
-- statement, mqttd through its journal), and each announces the change itself. The
-- function changes status only: it never writes events, never notifies, never commits,
-- and returns the devices it changed so that the caller can.

CREATE FUNCTION devices_mark_silent_offline(timeout_s integer)
RETURNS TABLE (id uuid, name text, type text, silent_since timestamptz)
LANGUAGE sql VOLATILE AS $$
    UPDATE devices d SET status = 'offline'
    WHERE d.status = 'online'
    AND COALESCE(d.last_heartbeat_at, d.last_seen_at, d.created_at) < now() - make_interval(secs => timeout_s)
    RETURNING d.id, d.name, d.type, COALESCE(d.last_heartbeat_at, d.last_seen_at, d.created_at)
$$;

-- 004_device_events.sql — what happened to devices: the feed of GET /api/device-events.
--
-- mqttd writes status_changed, event_received and state_transition rows; it writes
-- command_sent when it publishes a command. Rows older than events.retention_days are
-- removed by `station-cron device-events-cleanup`. Paging walks (created_at, id)
-- downwards, which the indexes below serve for the whole feed and per device.

CREATE TABLE device_events (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    device_id   uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('status_changed', 'command_sent', 'event_received', 'state_transition')),
    -- status_changed: the new status; event_received: the event action;
    -- state_transition: the capability key; command_sent: the command action.
    action      text,
    data        jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_events_feed ON device_events (created_at DESC, id DESC);
CREATE INDEX device_events_by_device ON device_events (device_id, created_at DESC, id DESC);
CREATE INDEX device_events_by_kind ON device_events (kind, created_at DESC, id DESC);

-- 012_event_settings.sql — which device events are recorded and which are pushed.
--
-- Every event of a device type's registry `events` list has a setting per device:
-- `record` (an event_received row in device_events) and `notify` (a device.eventReceived
-- message on station_events). What applies is, in this order: the device's own setting
-- (event_settings, written by PUT /api/device-events/settings/:deviceId), the type's
-- preset (device_type_event_presets), else record and notify both true.
--
-- The view device_event_settings writes that rule once. api-device-events reads it for
-- its settings routes; station-mqttd joins it in the statements that insert a batch's
-- events and send its notifications, so the database decides per row inside the batch's
-- own transaction, and a change is in force for the next batch without any cache.

-- A device's own settings; a row exists only for what an admin set. Deleting the device
-- deletes them. A row whose action left the type's registry list is ignored by the view.
CREATE TABLE event_settings (
    device_id   uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    record      boolean NOT NULL,
    notify      boolean NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, action)
);

-- Defaults per device type, where they differ from "record and notify". No reference to
-- device_types: station-migrate writes the built-in types after the migrations, and a
-- preset for a type that is not registered (yet) is harmless — the view only reads the
-- presets of events a registered type lists.
CREATE TABLE device_type_event_presets (
    device_type text NOT NULL CHECK (device_type ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    action      text NOT NULL CHECK (length(action) BETWEEN 1 AND 64),
    record      boolean NOT NULL,
    notify      boolean NOT NULL,
    PRIMARY KEY (device_type, action)
);

-- motion_cleared follows every motion_detected a few seconds later: worth keeping in the
-- history (how long was there motion?), not worth a push to every open browser.
INSERT INTO device_type_event_presets (device_type, action, record, notify) VALUES
    ('pir', 'motion_cleared', true, false),
    ('switch-pir', 'motion_cleared', true, false);

-- Every device × every event its type lists, with the setting in force. `custom` says
-- whether the device's own row decided; `position` keeps the registry's order.
CREATE VIEW device_event_settings AS
SELECT d.id AS device_id, d.name AS device_name, d.type AS device_type, e.action, e.position,
       COALESCE(s.record, p.record, true) AS record,
       COALESCE(s.notify, p.notify, true) AS notify,
       s.device_id IS NOT NULL AS custom
FROM devices d
JOIN device_types t ON t.id = d.type
CROSS JOIN LATERAL jsonb_array_elements_text(t.events) WITH ORDINALITY AS e(action, position)
LEFT JOIN device_type_event_presets p ON p.device_type = d.type AND p.action = e.action
LEFT JOIN event_settings s ON s.device_id = d.id AND s.action = e.action;

-- The presets of every registered type: each event its type lists, with its default.
CREATE VIEW device_type_event_defaults AS
SELECT t.id AS device_type, e.action, e.position,
       COALESCE(p.record, true) AS record,
       COALESCE(p.notify, true) AS notify
FROM device_types t
CROSS JOIN LATERAL jsonb_array_elements_text(t.events) WITH ORDINALITY AS e(action, position)
LEFT JOIN device_type_event_presets p ON p.device_type = t.id AND p.action = e.action;

-- 015_automations.sql — automations, their durable runs, kits and kit presets (SPEC §4
-- automations, kits; docs/automations.md).
--
-- An automation is a graph (flow: {nodes, edges}) edited as a draft and run by
-- station-automationd once published. Every run is a row, and every step of it is a row
-- written as it happens, so a run survives a restart of automationd: a delay is a step
-- waiting for its due_at, and a step is claimed atomically (the row exists once per run and
-- node, and moves out of 'waiting' under a conditional UPDATE) before it runs, so it never
-- runs twice. A kit is a set of devices filling a preset's roles; its automations are
-- made from the preset's templates and go when the kit goes.

-- Presets: roles [{key, type}] and automationTemplates [{name, nodes, edges}] whose
-- "$<roleKey>" strings are replaced by the devices' ids when a kit is made.
CREATE TABLE kit_presets (
    id                    text PRIMARY KEY CHECK (id ~ '^[a-z0-9][a-z0-9_-]{0,63}$'),
    built_in              boolean NOT NULL DEFAULT false,
    auto_apply            boolean NOT NULL DEFAULT false,
    name                  text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now(),
    roles                 jsonb NOT NULL CHECK (jsonb_typeof(roles) = 'array'),
    automation_templates  jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(automation_templates) = 'array'),
    updated_at            timestamptz NOT NULL DEFAULT now()
);

-- A kit: devices is {roleKey: deviceId}; devices_hash is the hex SHA-256 of the sorted
-- device ids, so the same devices make one kit of a preset however often it is noticed.
CREATE TABLE device_kits (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    preset_id     text NOT NULL REFERENCES kit_presets (id) ON DELETE RESTRICT,
    name          text NOT NULL,
    devices       jsonb NOT NULL CHECK (jsonb_typeof(devices) = 'object'),
    devices_hash  text NOT NULL CHECK (devices_hash ~ '^[0-9a-f]{64}$'),
    kit_tag       text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (preset_id, devices_hash)
);

CREATE TABLE automations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name             text NOT NULL,
    description      text,
    status           text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    flow             jsonb NOT NULL DEFAULT '{"nodes":[],"edges":[]}' CHECK (jsonb_typeof(flow) = 'object'),
    kit_id           uuid REFERENCES device_kits (id) ON DELETE CASCADE,
    last_run_at      timestamptz,
    last_run_status  text CHECK (last_run_status IN ('running', 'success', 'failed')),
    published_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX automations_published ON automations (id) WHERE status = 'published';
CREATE INDEX automations_kit ON automations (kit_id);

-- automationd keeps an index of the published triggers: any change of an automation tells
-- it to reload (payload: the automation's id).
CREATE FUNCTION automations_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('automations_changed',
                      CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END::text);
    RETURN NULL;
END $$;
CREATE TRIGGER automations_changed AFTER INSERT OR UPDATE OR DELETE ON automations
    FOR EACH ROW EXECUTE FUNCTION automations_changed();

-- A run. trigger: {kind, nodeId, ...what fired it}. A run made by POST /:id/run is a row
-- in 'running' with no step yet; the REST module NOTIFYs automation_runs (payload: the
-- run's id) and automationd takes it from there.
CREATE TABLE automation_runs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    automation_id  uuid NOT NULL REFERENCES automations (id) ON DELETE CASCADE,
    status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'success', 'failed')),
    trigger        jsonb NOT NULL DEFAULT '{}',
    error          text,
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);
CREATE INDEX automation_runs_by_automation ON automation_runs (automation_id, started_at DESC, id DESC);
CREATE INDEX automation_runs_running ON automation_runs (started_at) WHERE status = 'running';
CREATE INDEX automation_runs_age ON automation_runs (started_at);

-- A step: one node of one run, at most once (UNIQUE (run_id, node_id): the insert is the
-- claim). status: 'running' while it runs, 'waiting' for a delay until due_at, then
-- 'success', 'failed' or 'skipped' (a condition's branch not taken).
CREATE TABLE automation_steps (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    run_id       uuid NOT NULL REFERENCES automation_runs (id) ON DELETE CASCADE,
    node_id      text NOT NULL,
    kind         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'waiting', 'success', 'failed', 'skipped')),
    output       jsonb,
    error        text,
    due_at       timestamptz,
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    UNIQUE (run_id, node_id)
);
CREATE INDEX automation_steps_due ON automation_steps (due_at) WHERE status = 'waiting';

-- The built-in preset (SPEC §4 kits): a switch-pir's button toggles a light.
INSERT INTO kit_presets (id, name, roles, automation_templates, auto_apply, built_in) VALUES (
    'switch-light', 'Switch + Light',
    '[{"key":"trigger","type":"switch-pir"},{"key":"target","type":"light"}]',
    '[{"name":"Button → Toggle Light",
       "nodes":[{"id":"trigger","type":"trigger","data":{"kind":"device_event_received",
                  "config":{"deviceId":"$trigger","eventAction":"button_press"}}},
                {"id":"toggle","type":"action","data":{"kind":"device_command",
                  "config":{"deviceId":"$target","command":"toggle"}}}],
       "edges":[{"id":"e1","source":"trigger","target":"toggle"}]}]',
    true, true);

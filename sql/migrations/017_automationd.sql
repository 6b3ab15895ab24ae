-- 017_automationd.sql — what station-automationd needs beyond 015.
--
-- automations_changed (015) tells automationd to reload an automation's triggers. Its
-- own writes of last_run_at/last_run_status, twice per run, need no reload: the trigger
-- now fires on inserts, deletes and updates that name the columns the index reads
-- (name, status, flow) — an UPDATE that sets them fires it even with equal values.
DROP TRIGGER automations_changed ON automations;
CREATE TRIGGER automations_changed AFTER INSERT OR DELETE OR UPDATE OF name, status, flow ON automations
    FOR EACH ROW EXECUTE FUNCTION automations_changed();

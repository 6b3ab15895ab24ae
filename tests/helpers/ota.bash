# ota.bash — helpers of the OTA suites (`load ../helpers/ota` after common). They expect
# $RUN (a per-file prefix of external ids) to be set.
#
#   ota_end_active       ends every active (pending or sent) update of this run's devices as
#                        failed, so that no test's updates hold slots of ota.max_parallel
#                        for the next one (teardown)
#   ota_status DEVICE_ID the status of the device's newest update
#   run_cron JOB         station-cron JOB succeeds (run again while the stack's own cron
#                        loop holds the job's lock: "already running")

ota_end_active() {
  psql_exec "UPDATE ota_logs o SET status = 'failed', finished_at = now() FROM devices d
             WHERE d.id = o.device_id AND d.external_id LIKE '$RUN-%' AND o.status IN ('pending', 'sent')" \
    >/dev/null || true
}

ota_status() { psql_exec "SELECT status FROM ota_logs WHERE device_id = '$1' ORDER BY created_at DESC LIMIT 1"; }

run_cron() {
  local i
  for i in 1 2 3 4 5; do
    run "$STATION_BUILD_DIR/station-cron" "$1"
    [ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
    [[ "$output" == *'"already running"'* ]] || return 0
    sleep 0.5
  done
  return 1
}

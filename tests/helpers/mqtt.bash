# mqtt.bash — helpers of the suites that talk MQTT (`load ../helpers/mqtt` after common).
# They expect $RUN (a per-file prefix of external ids) and $STATION_ID to be set.
#
#   new_device SUFFIX [TYPE]     creates the device "$RUN-SUFFIX" (default type light) through
#                                the API; sets DEVICE_ID, EXT and TOKEN
#   topic EXT SUFFIX             station/<station id>/device/EXT/SUFFIX
#   pub EXT TOKEN SUFFIX PAYLOAD publishes as that device (its credentials, QoS 1); expects
#                                $MQTT_HOST and $STATION_MQTT_PORT
#   sub_start OUT USER PASSWORD CLIENT_ID TOPIC…
#                                a mosquitto_sub in the background, printing "topic payload"
#                                lines into OUT; returns once subscribed; sets SUB_PID
#   got OUT TOPIC PAYLOAD        the subscriber printed exactly that message
# mqttd and the broker, stopped and started as scripts/dev starts them (pid files in .run/pid):
#   mqttd_running / mqttd_pid / mqttd_log / log_since_has OFFSET PATTERN (mqttd's log)
#   mqttd_start                  starts mqttd, waits until it is connected to the broker
#   mqttd_stop                   SIGTERM, waits for the exit
#   mqttd_kill9                  kill -9 (a crash), waits for the exit
#   broker_log / broker_log_since OFFSET PATTERN
#   broker_kill9                 kill -9 of the stack's Mosquitto (a crash), waits for the exit
#   broker_start                 starts it again with its configuration, waits for its port
#   broker_running
# A Mosquitto of a test's own, from the production template:
#   free_port                    a free TCP port on this machine
#   private_broker_start DIR ANONYMOUS [SED_ARG…]
#                                DIR/mosquitto.conf from mosquitto/station.conf.in (the station's
#                                plugin and database, allow_anonymous_devices ANONYMOUS, more
#                                sed arguments edit the template) on a free port, logging all to
#                                DIR/log; starts it in the background (bg_track); sets BROKER_PORT

new_device() {
  local type=${2:-light}
  api_json POST /api/devices "{\"externalId\":\"$RUN-$1\",\"name\":\"Device $1\",\"type\":\"$type\"}" \
    -H "Authorization: Bearer $(token_for admin)"
  assert_status 201
  DEVICE_ID=$(json_field .device.id)
  EXT=$(json_field .device.externalId)
  TOKEN=$(json_field .deviceToken)
  [ "$EXT" = "$RUN-$1" ]
  [ "$(json_field .bootstrap.stationId)" = "$STATION_ID" ]
}

# mqtt_suite_ids PREFIX: exports RUN (unique names for this file's rows), STATION_ID (the
# topic root; fails when there is no station row), DAEMON_USER and DAEMON_PASSWORD.
mqtt_suite_ids() {
  export RUN="$1$(date +%s)$RANDOM"
  STATION_ID=$(psql_exec "SELECT id FROM station")
  export STATION_ID
  [ -n "$STATION_ID" ]
  DAEMON_USER=station-mqttd
  DAEMON_PASSWORD=$(head -n 1 "$STATION_RUN_DIR/secrets/mqtt_password" | tr -d '[:space:]')
  export DAEMON_USER DAEMON_PASSWORD
  [ -n "$DAEMON_PASSWORD" ]
}

topic() { echo "station/$STATION_ID/device/$1/$2"; }

pub() {
  mosquitto_pub -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$1" -P "$2" -i "$1" -q 1 \
    -t "$(topic "$1" "$3")" -m "$4"
}

# sub_start OUT USER PASSWORD CLIENT_ID TOPIC…: a subscriber in the background writing its
# debug output and "topic payload" lines into OUT (line-buffered, so they can be polled);
# returns once the broker answered the SUBSCRIBE. Sets SUB_PID.
sub_start() {
  local out=$1 user=$2 password=$3 id=$4 topics=() t
  shift 4
  for t in "$@"; do topics+=(-t "$t"); done
  stdbuf -oL mosquitto_sub -d -v -h "$MQTT_HOST" -p "$STATION_MQTT_PORT" -u "$user" -P "$password" -i "$id" \
    -q 1 "${topics[@]}" >"$out" 2>&1 3>&- &
  SUB_PID=$!
  bg_track $SUB_PID
  poll 5 grep -q '^Subscribed (mid' "$out" || {
    cat "$out" >&2
    return 1
  }
}

# got OUT TOPIC PAYLOAD: the subscriber printed exactly that message.
got() { grep -qxF -- "$2 $3" "$1"; }

# ---- mqttd, started and stopped as scripts/dev does --------------------------------

mqttd_pid() { cat "$STATION_RUN_DIR/pid/station-mqttd.pid" 2>/dev/null; }
mqttd_running() { stack_daemon_running station-mqttd; }
mqttd_log() { echo "$STATION_RUN_DIR/log/station-mqttd.log"; }
mqttd_stop() { stack_daemon_stop station-mqttd; }
log_since_has() { tail -c +"$(($1 + 1))" "$(mqttd_log)" | grep -q -- "$2"; }
# Starts mqttd as scripts/dev does and waits until it is connected to the broker.
mqttd_start() { stack_daemon_start station-mqttd '"msg":"broker connected"'; }

# A crash: kill -9, then wait until the process is gone.
mqttd_kill9() {
  local pid
  mqttd_running || return 0
  pid=$(mqttd_pid)
  kill -9 "$pid"
  poll 10 eval "! proc_starttime $pid >/dev/null"
}

# ---- the stack's Mosquitto ----------------------------------------------------------

broker_log() { echo "$STATION_RUN_DIR/log/mosquitto.log"; }

# broker_log_since OFFSET PATTERN: the broker logged a line matching PATTERN after OFFSET bytes.
broker_log_since() { tail -c +"$(($1 + 1))" "$(broker_log)" | grep -q -- "$2"; }

broker_pid() { cat "$STATION_RUN_DIR/pid/mosquitto.pid" 2>/dev/null; }

broker_running() { stack_daemon_running mosquitto; }

broker_kill9() {
  local pid
  pid=$(broker_pid)
  [ -n "$pid" ] || return 1
  kill -9 "$pid"
  poll 10 eval "! proc_starttime $pid >/dev/null"
}

broker_listening() { (exec 3<>"/dev/tcp/127.0.0.1/$STATION_MQTT_PORT") 2>/dev/null; }

# As systemd restarts it (and scripts/dev starts it): the same command and configuration,
# its own session, the same log and pid files; returns once it accepts connections.
broker_start() {
  local pid
  setsid mosquitto -c "$STATION_RUN_DIR/mosquitto/mosquitto.conf" </dev/null >>"$(broker_log)" 2>&1 3>&- 9>&- &
  pid=$!
  echo "$pid" >"$STATION_RUN_DIR/pid/mosquitto.pid"
  proc_starttime "$pid" >"$STATION_RUN_DIR/pid/mosquitto.start" || true
  poll 10 broker_listening
}

# ---- a Mosquitto of a test's own ----------------------------------------------------

# A free TCP port on this machine.
free_port() {
  local port i
  for ((i = 0; i < 50; i++)); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
      echo "$port"
      return 0
    }
  done
  return 1
}

# private_broker_start DIR ANONYMOUS [SED_ARG…]: the production template rendered as
# scripts/dev renders the dev one (persistence and the log in DIR), started in the
# background; sets BROKER_PORT. The caller waits for the log line it needs.
private_broker_start() {
  local dir=$1 anonymous=$2 plugin=$STATION_BUILD_DIR/mosquitto_station_auth.so conninfo
  shift 2
  [ -f "$plugin" ]
  BROKER_PORT=$(free_port)
  conninfo=$(sed -n 's/^db\.conninfo *= *//p' "$STATION_CONFIG")
  [ -n "$conninfo" ]
  mkdir -p "$dir"
  {
    [ "$(id -u)" -ne 0 ] || echo "user root"
    sed -e "s|@MQTT_PORT@|$BROKER_PORT|" -e "s|@PLUGIN_PATH@|$plugin|" -e "s|@DB_CONNINFO@|$conninfo|" \
      -e "s|@DAEMON_USERNAME@|$DAEMON_USER|" \
      -e "s|@DAEMON_PASSWORD_FILE@|$STATION_RUN_DIR/secrets/mqtt_password|" \
      -e "s|@ALLOW_ANONYMOUS_DEVICES@|$anonymous|" -e "s|@ALLOW_ANONYMOUS@|$anonymous|" \
      -e "s|@DEVICE_RATE@|50|" -e "s|@DEVICE_BURST@|500|" -e "s|@MAX_PACKET_SIZE@|66560|" \
      "$@" "$STATION_SRC_DIR/mosquitto/station.conf.in"
    echo "persistence_location $dir/"
    echo "log_dest stderr"
    echo "log_type all"
  } >"$dir/mosquitto.conf"
  refute grep -n '@[A-Z_]*@' "$dir/mosquitto.conf"
  (cd "$dir" && exec mosquitto -c "$dir/mosquitto.conf") >"$dir/log" 2>&1 3>&- &
  bg_track $!
}

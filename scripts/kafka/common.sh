# Shared by scripts/kafka-broker and scripts/kafka-cluster (sourced): the jars from Maven
# Central, a JDK and Maven from Debian when missing, free ports of 127.0.0.1.
kafka_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
kafka_lib="$kafka_root/.cache/kafka/lib"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

fetch_jars() {
  [ -f "$kafka_lib/.complete" ] && return
  # Tests start brokers in parallel on a fresh clone: one fetches, the others wait for it
  # (two Maven copies into the same folder broke each other's jars).
  mkdir -p "$kafka_root/.cache"
  exec 9>"$kafka_root/.cache/kafka-fetch.lock"
  flock 9
  if [ ! -f "$kafka_lib/.complete" ]; then
    if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
      sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
      $sudo apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless maven >/dev/null
    fi
    mkdir -p "$kafka_lib"
    mvn -q -B -f "$kafka_root/scripts/kafka/pom.xml" dependency:copy-dependencies -DoutputDirectory="$kafka_lib" >&2
    touch "$kafka_lib/.complete"
  fi
  exec 9>&-  # unlocks; the broker started next must not inherit the lock
}

# Starts the broker of DIR (server.properties written) in the background with HEAP; its pid in
# DIR/pid. Formats its storage first if needed, with FORMAT_ARGS (e.g. --standalone) and the
# words of $KAFKA_FORMAT_EXTRA (e.g. --add-scram SCRAM-SHA-512=[name=alice,password=…], the
# users a SASL/SCRAM listener knows).
launch_broker() {
  local dir=$1 heap=$2 cluster=$3
  shift 3
  local java_opts=(-Xms256m "-Xmx$heap" -XX:+UseG1GC -Dkafka.logs.dir="$dir" -Dlog4j2.configurationFile="$kafka_root/scripts/kafka/log4j2.properties")
  if [ ! -f "$dir/data/meta.properties" ]; then
    local extra=()
    read -ra extra <<< "${KAFKA_FORMAT_EXTRA:-}"  # split on blanks, never globbed
    java "${java_opts[@]}" -cp "$kafka_lib/*" kafka.tools.StorageTool format "$@" "${extra[@]}" -t "$cluster" -c "$dir/server.properties" > "$dir/format.log" 2>&1
  fi
  nohup java "${java_opts[@]}" -cp "$kafka_lib/*" kafka.Kafka "$dir/server.properties" > "$dir/stdout.log" 2>&1 &
  echo $! > "$dir/pid"
}

# 0 once the broker of DIR logged that it started and PORT answers; 1 when it exited or after
# TIMEOUT seconds.
wait_serving() {
  local dir=$1 port=$2 timeout=${3:-60}
  for _ in $(seq 1 $((timeout * 2))); do
    if grep -q "Kafka Server started" "$dir/server.log" 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "kafka: the broker of $dir exited; see $dir/stdout.log and $dir/server.log" >&2
      tail -20 "$dir/stdout.log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "kafka: the broker of $dir is not serving after $timeout s; see $dir/server.log" >&2
  return 1
}

# Stops the process of DIR/pid: SIGTERM (or SIGNAL), SIGKILL after 30 s.
stop_broker() {
  local dir=$1 signal=${2:-TERM}
  [ -f "$dir/pid" ] || return 0
  local pid
  pid=$(cat "$dir/pid")
  kill "-$signal" "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$dir/pid"
}

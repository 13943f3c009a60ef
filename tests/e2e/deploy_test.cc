// deploy/: the systemd unit, the Kubernetes sidecar example and the Prometheus files are
// checked by the tools that will read them (systemd-analyze, promtool, logship validate).
#include <gtest/gtest.h>

#include <map>
#include <yaml-cpp/yaml.h>

#include <regex>

#include "tests/support/test_support.h"

namespace logship {
namespace {

std::string deploy(const std::string& path) { return std::string(LOGSHIP_SOURCE_DIR) + "/deploy/" + path; }

int run(const std::vector<std::string>& argv, const testing::TempDir& dir, std::string* output = nullptr) {
  testing::Process p(argv, dir / "err", dir / "out");
  int code = p.wait(std::chrono::seconds(60));
  if (output) *output = testing::read_file(dir / "out") + testing::read_file(dir / "err");
  return code;
}

TEST(DeployTest, SystemdUnitVerifiesAndKeepsTheServiceConfined) {
  testing::TempDir dir;
  std::string unit = testing::read_file(deploy("systemd/logship.service"));
  for (const char* line : {"User=logship", "ProtectSystem=strict", "ReadWritePaths=/var/lib/logship", "StateDirectory=logship",
                           "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID", "NoNewPrivileges=true", "CapabilityBoundingSet=\n"})
    EXPECT_NE(unit.find(line), std::string::npos) << line;
  // systemd-analyze wants the binaries to exist: point the unit at the one just built.
  testing::write_file(dir / "logship.service", std::regex_replace(unit, std::regex("/usr/local/bin/logship"), testing::logship_binary()));
  std::string out;
  EXPECT_EQ(run({"/usr/bin/systemd-analyze", "verify", dir / "logship.service"}, dir, &out), 0) << out;
  EXPECT_EQ(out.find("Unknown"), std::string::npos) << out;
  std::string users = testing::read_file(deploy("systemd/logship.sysusers"));
  EXPECT_NE(users.find("u logship - "), std::string::npos);
}

TEST(DeployTest, PrometheusConfigAndAlertsPassPromtoolAndTheirTests) {
  testing::TempDir dir;
  std::string out;
  EXPECT_EQ(run({"/usr/bin/promtool", "check", "config", deploy("prometheus/prometheus.yml")}, dir, &out), 0) << out;
  EXPECT_EQ(run({"/usr/bin/promtool", "check", "rules", deploy("prometheus/logship-alerts.yml")}, dir, &out), 0) << out;
  EXPECT_EQ(run({"/usr/bin/promtool", "test", "rules", deploy("prometheus/logship-alerts.test.yml")}, dir, &out), 0) << out;
  // Every metric an alert uses is one logship exports (names as in docs/architecture.md).
  std::string rules = testing::read_file(deploy("prometheus/logship-alerts.yml"));
  std::string docs = testing::read_file(std::string(LOGSHIP_SOURCE_DIR) + "/README.md");
  std::regex metric("logship_[a-z_]+");
  for (std::sregex_iterator it(rules.begin(), rules.end(), metric), end; it != end; ++it)
    EXPECT_NE(docs.find(it->str()), std::string::npos) << it->str() << " is used by an alert but not listed in the README's metrics";
  YAML::Node k8s = YAML::LoadFile(deploy("prometheus/kubernetes-scrape.yml"));
  EXPECT_EQ(k8s["scrape_configs"][0]["kubernetes_sd_configs"][0]["role"].as<std::string>(), "pod");
}

TEST(DeployTest, KubernetesSidecarHealthDrivesItsOwnLivenessNeverThePodsReadinessAndItsPipelineValidates) {
  testing::TempDir dir;
  auto docs = YAML::LoadAllFromFile(deploy("kubernetes/app-with-logship-sidecar.yaml"));
  ASSERT_EQ(docs.size(), 2u);
  ASSERT_EQ(docs[0]["kind"].as<std::string>(), "ConfigMap");
  std::string pipeline = docs[0]["data"]["pipeline.yaml"].as<std::string>();
  testing::write_file(dir / "pipeline.yaml", pipeline);
  ::setenv("KAFKA_BOOTSTRAP", "kafka-0:9092", 1);
  ::setenv("POD_IP", "10.1.2.3", 1);
  for (const char* name : {"POD_NAME", "POD_NAMESPACE", "POD_UID", "NODE_NAME"}) ::setenv(name, "from-the-downward-api", 1);
  testing::write_file(dir / "ca.crt", "a CA mounted from a Secret\n");
  ::setenv("KAFKA_CA_FILE", (dir / "ca.crt").c_str(), 1);
  ::setenv("KAFKA_PASSWORD", "from-a-secret", 1);
  auto validated = testing::run_logship({"validate", "-c", dir / "pipeline.yaml"});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  std::string port = YAML::Load(pipeline)["api"]["address"].as<std::string>();
  port = port.substr(port.rfind(':') + 1);

  YAML::Node deployment = docs[1];
  ASSERT_EQ(deployment["kind"].as<std::string>(), "Deployment");
  YAML::Node pod = deployment["spec"]["template"];
  EXPECT_EQ(pod["metadata"]["annotations"]["prometheus.io/port"].as<std::string>(), port);
  YAML::Node sidecar;
  int mounts_of_logs = 0;
  for (const auto& c : pod["spec"]["containers"]) {
    if (c["name"].as<std::string>() == "logship") sidecar = YAML::Node(c);
    for (const auto& m : c["volumeMounts"])
      if (m["name"].as<std::string>() == "app-logs") ++mounts_of_logs;
  }
  ASSERT_TRUE(sidecar) << "no logship container";
  EXPECT_EQ(mounts_of_logs, 2) << "the app and logship share the log volume";
  EXPECT_EQ(sidecar["ports"][0]["containerPort"].as<std::string>(), port);
  // /health drives the sidecar's own liveness, never the pod's readiness (a Kafka outage
  // would take every app pod out of service), and the API is not on every interface.
  EXPECT_EQ(sidecar["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/health");
  EXPECT_EQ(sidecar["livenessProbe"]["httpGet"]["port"].as<std::string>(), sidecar["ports"][0]["name"].as<std::string>());
  for (const auto& c : pod["spec"]["containers"]) EXPECT_FALSE(c["readinessProbe"]) << c["name"].as<std::string>();
  std::string address = YAML::Load(pipeline)["api"]["address"].as<std::string>();
  EXPECT_EQ(address.rfind("0.0.0.0", 0), std::string::npos) << address;
  EXPECT_TRUE(sidecar["resources"]["requests"]["memory"]);
  EXPECT_TRUE(sidecar["resources"]["limits"]["memory"]);
  bool empty_dir = false;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["name"].as<std::string>() == "app-logs") empty_dir = static_cast<bool>(v["emptyDir"]);
  EXPECT_TRUE(empty_dir);
  EXPECT_GE(pod["spec"]["terminationGracePeriodSeconds"].as<int>(), 30) << "room for shutdown_timeout";
  // The Kafka CA and password come from Secrets: a secret volume and a secretKeyRef, and the
  // pipeline names neither literally.
  bool ca_from_secret = false, password_from_secret = false;
  for (const auto& v : pod["spec"]["volumes"])
    if (v["secret"]) ca_from_secret = true;
  for (const auto& e : sidecar["env"])
    if (e["name"].as<std::string>() == "KAFKA_PASSWORD") password_from_secret = static_cast<bool>(e["valueFrom"]["secretKeyRef"]);
  EXPECT_TRUE(ca_from_secret);
  EXPECT_TRUE(password_from_secret);
  EXPECT_NE(pipeline.find("'${KAFKA_PASSWORD}'"), std::string::npos);
  // The pod's identity reaches every event through add_fields and the downward API.
  std::map<std::string, std::string> downward;
  for (const auto& e : sidecar["env"])
    if (e["valueFrom"] && e["valueFrom"]["fieldRef"]) downward[e["name"].as<std::string>()] = e["valueFrom"]["fieldRef"]["fieldPath"].as<std::string>();
  EXPECT_EQ(downward["POD_NAME"], "metadata.name");
  EXPECT_EQ(downward["POD_NAMESPACE"], "metadata.namespace");
  EXPECT_EQ(downward["NODE_NAME"], "spec.nodeName");
  YAML::Node fields = YAML::Load(pipeline)["sources"]["app"]["add_fields"];
  EXPECT_EQ(fields["kubernetes.pod.name"].as<std::string>(), "${POD_NAME}");
  EXPECT_EQ(fields["kubernetes.namespace"].as<std::string>(), "${POD_NAMESPACE}");
}

TEST(DeployTest, KubernetesDaemonSetReadsPodLogsReadOnlyAsContainerLogsKeepsCheckpointsOnTheNodeAndValidates) {
  testing::TempDir dir;
  auto docs = YAML::LoadAllFromFile(deploy("kubernetes/logship-daemonset.yaml"));
  ASSERT_EQ(docs.size(), 2u);
  std::string pipeline = docs[0]["data"]["pipeline.yaml"].as<std::string>();
  testing::write_file(dir / "pipeline.yaml", pipeline);
  ::setenv("KAFKA_BOOTSTRAP", "kafka-0:9092", 1);
  ::setenv("POD_IP", "10.1.2.3", 1);
  ::setenv("NODE_NAME", "node-1", 1);
  testing::write_file(dir / "ca.crt", "a CA mounted from a Secret\n");
  ::setenv("KAFKA_CA_FILE", (dir / "ca.crt").c_str(), 1);
  ::setenv("KAFKA_PASSWORD", "from-a-secret", 1);
  auto validated = testing::run_logship({"validate", "-c", dir / "pipeline.yaml"});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  YAML::Node source = YAML::Load(pipeline)["sources"]["pods"];
  EXPECT_EQ(source["include"][0].as<std::string>(), "/var/log/pods/*/*/*.log");
  EXPECT_TRUE(source["container"]);
  ASSERT_EQ(docs[1]["kind"].as<std::string>(), "DaemonSet");
  YAML::Node pod = docs[1]["spec"]["template"]["spec"];
  YAML::Node logship = pod["containers"][0];
  std::map<std::string, YAML::Node> mounts;
  for (const auto& m : logship["volumeMounts"]) mounts[m["mountPath"].as<std::string>()] = YAML::Node(m);
  ASSERT_TRUE(mounts.count("/var/log/pods"));
  EXPECT_TRUE(mounts["/var/log/pods"]["readOnly"].as<bool>());
  ASSERT_TRUE(mounts.count("/var/lib/logship"));
  for (const auto& v : pod["volumes"]) {
    if (v["name"].as<std::string>() == mounts["/var/lib/logship"]["name"].as<std::string>()) {
      EXPECT_TRUE(v["hostPath"]) << "checkpoints must outlive the pod";
    }
  }
  EXPECT_FALSE(logship["readinessProbe"]);
  EXPECT_EQ(logship["livenessProbe"]["httpGet"]["path"].as<std::string>(), "/health");
}

}  // namespace
}  // namespace logship

// What a container log file's path says about the container, as Kubernetes and Docker lay
// the files out:
//
//   /var/log/pods/<namespace>_<pod>_<pod uid>/<container>/<restart>.log   (kubelet; also its
//                                                        rotated <restart>.log.<time> files)
//   /var/log/containers/<pod>_<namespace>_<container>-<64 hex id>.log      (links into the above)
//   /var/lib/docker/containers/<64 hex id>/<id>-json.log                   (Docker alone)
//
// gives the ECS fields kubernetes.namespace, kubernetes.pod.name, kubernetes.pod.uid,
// container.name and container.id, those the path holds. Nothing for any other path.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace logship {

using FieldValues = std::vector<std::pair<std::string, std::string>>;  // dotted name, text

FieldValues container_fields_from_path(std::string_view path);

// `fields` (dotted names, text values) as top-level JSON members with a leading comma each,
// nested by their dots: {"kubernetes.pod.name": "web"} -> ,"kubernetes":{"pod":{"name":"web"}}.
// A later name replaces an earlier equal one, and one it nests in or under (`container` after
// `container.name`). `heads` gets the top-level keys written.
std::string render_origin_fields(const FieldValues& fields, std::vector<std::string>& heads);

}  // namespace logship

// Creating logship's own files and folders with modes that do not depend on the umask:
// checkpoints, locks and dead letters hold what was read and from where, so they are 0600 in
// 0700 folders; outputs are what the operator asked for (file sink: 0640).
//
//   if (Status s = make_dirs(data_dir, 0700); !s) return s;
//   Result<int> fd = open_created(data_dir + "/app.lock", O_RDWR, 0600);   // O_NOFOLLOW always
//
// A mode is set with chmod/fchmod after creating, so a umask can neither widen nor narrow it;
// folders and files that already exist keep theirs (an operator may have chosen otherwise).
#pragma once

#include <sys/types.h>

#include <string>

#include "core/error.h"

namespace logship {

// Creates `dir` and any missing parents, each one it creates with exactly `mode`.
Status make_dirs(const std::string& dir, mode_t mode);

// open(2) of `path` with O_CREAT | O_NOFOLLOW | O_CLOEXEC added to `flags`; a file it creates
// gets exactly `mode`. A symbolic link at `path` is refused with an error that says so.
// `force_mode`: also set `mode` on a file that already existed (logship's own files).
Result<int> open_created(const std::string& path, int flags, mode_t mode, bool force_mode = false);

}  // namespace logship

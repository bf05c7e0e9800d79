#pragma once
// Reading an operator-supplied input file (scenario, pack, rules, baseline, fault profile, key
// file) without trusting what the path names. A FIFO, a device such as /dev/zero or a directory
// must be refused at once (a FIFO would block the open forever, /dev/zero would grow memory
// without end), and a regular file larger than its kind's cap is refused before it is read.
//
// Errors are ErrorCode::invalid_input with one line naming the file:
//   "<path>: not a regular file (a FIFO)"      "<path>: is a directory, not a file"
//   "<path>: larger than 4 MiB (312 MiB)"      "<path>: cannot read: No such file or directory"
#include <cstddef>
#include <filesystem>
#include <string>

#include "util/error.hpp"

namespace crm::util {

// Caps by kind of input; documented in docs/RUNBOOK.md ("Input files").
inline constexpr std::size_t k_max_definition_bytes = 4u << 20;  // scenario, pack, rules, baseline, profile
inline constexpr std::size_t k_max_key_file_bytes = 64u << 10;   // a file that holds one API key
// A bookkeeping file of an earlier bundle (00-run.json, 21-summary.json, MANIFEST.sha256) read by
// merge and --rerun-failed: a bundle is operator input too, and may hold a FIFO.
inline constexpr std::size_t k_max_bundle_record_bytes = 64u << 20;

[[nodiscard]] Result<std::string> read_input_file(const std::filesystem::path& path,
                                                  std::size_t max_bytes = k_max_definition_bytes);

}  // namespace crm::util

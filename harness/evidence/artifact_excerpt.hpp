#pragma once
// What report.html shows of one artifact of a cell folder: JSON pretty-printed, header dumps,
// SSE transcripts and Markdown as text, each cut at a cap with a note saying how much was shown.
// The files are the bundle's own, already scrubbed when they were written; nothing is re-read
// from the environment. Reading never fails: a file that is missing, not a regular file or
// unreadable becomes an excerpt whose `note` says so.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace crm::harness::evidence {

inline constexpr std::size_t k_excerpt_cap_bytes = 64u << 10;

struct ArtifactExcerpt {
    std::string name;  // relative to the cell folder: "10-chat.json"
    std::string kind;  // json | headers | sse | markdown | text
    bool present = false;
    std::uintmax_t size = 0;
    std::string text;  // what is shown: valid UTF-8, at most about `cap` bytes
    bool truncated = false;
    std::string note;  // "first 64 KiB of 210 KiB shown", "not written", "not a regular file"
};

[[nodiscard]] std::string artifact_kind(const std::string& name);

// The excerpt of `dir / name`.
[[nodiscard]] ArtifactExcerpt read_excerpt(const std::filesystem::path& dir, const std::string& name,
                                           std::size_t cap = k_excerpt_cap_bytes);

// The regular files of a cell folder (sorted by name, so by step number), plus the `expected`
// names that are missing (present = false, "not written"); nothing when the folder is absent.
[[nodiscard]] std::vector<ArtifactExcerpt> read_cell_excerpts(const std::filesystem::path& cell_dir,
                                                              const std::vector<std::string>& expected,
                                                              std::size_t cap = k_excerpt_cap_bytes);

}  // namespace crm::harness::evidence

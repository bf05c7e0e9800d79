// `crm-accept board [--root DIR] [--max-age DUR] [--json] [--out DIR] [--fail-on-stale]`: the
// truth board of an evidence root (catalog/board.hpp): per host × mode × provider the newest
// trustworthy verdict, its proving bundle, its evidence age and flags; untrusted bundles apart.
// --out DIR writes board.md, board.json and board.html there; --json prints board.json.
// Exit: 0; 2 with --fail-on-stale when a row is stale; 3 the root is missing or unreadable, or a
// board file cannot be written; 64 usage.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "harness/catalog/board_render.hpp"
#include "harness/cli/command.hpp"
#include "harness/cli/evidence_root.hpp"
#include "util/files.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

struct BoardCommandOptions {
    std::string root = cli::k_default_evidence_root;
    std::string max_age;
    std::string out_dir;
    bool json = false;
    bool fail_on_stale = false;
    bool reindex = false;
};

util::Result<void> write_board_files(const catalog::Board& board, const std::filesystem::path& root,
                                     const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) return util::fail(util::ErrorCode::io, fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
    CRM_TRY(md, catalog::render_board_md(board, root));
    CRM_TRY(html, catalog::render_board_html(board, root));
    CRM_TRY_VOID(util::write_atomic(dir / "board.md", md));
    CRM_TRY_VOID(util::write_atomic(dir / "board.json", util::pretty(catalog::board_to_json(board, root))));
    CRM_TRY_VOID(util::write_atomic(dir / "board.html", html));
    return {};
}

ExitCode run_board(const BoardCommandOptions& opts, CommandContext& ctx) {
    bool bad = false;
    auto max_age = cli::duration_flag("board", "--max-age", opts.max_age, ctx, bad);
    if (bad) return ExitCode::usage;
    auto catalog = cli::open_root("board", opts.root, opts.reindex, ctx);
    if (!catalog) return ExitCode::harness_error;
    const auto board = cli::board_of(*catalog, max_age);
    if (!opts.out_dir.empty()) {
        if (auto written = write_board_files(board, catalog->root(), opts.out_dir); !written) {
            ctx.err << "crm-accept board: " << written.error().message << "\n";
            return ExitCode::harness_error;
        }
    }
    if (opts.json) {
        ctx.out << util::pretty(catalog::board_to_json(board, catalog->root()));
    } else {
        ctx.out << catalog::render_board_table(board, catalog->root(), ctx.color);
        if (!opts.out_dir.empty())
            ctx.out << fmt::format("wrote {0}/board.md, {0}/board.json, {0}/board.html\n", opts.out_dir);
    }
    if (opts.fail_on_stale && board.count_flag("stale") > 0) {
        ctx.err << fmt::format("crm-accept board: {} row(s) stale (--fail-on-stale)\n", board.count_flag("stale"));
        return ExitCode::environment_blocked;
    }
    return ExitCode::gate_passed;
}

}  // namespace

void register_board(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<BoardCommandOptions>();
    auto* cmd = app.add_subcommand(
        "board", "The truth board: per host x mode x provider, the newest trustworthy verdict, its age and flags");
    cmd->add_option("--root", opts->root, "Evidence root")->capture_default_str();
    cmd->add_option("--max-age", opts->max_age,
                    "Stale after this age, for every row (default: the proving bundle's scenario "
                    "gate.max_evidence_age, else 24h); e.g. 24h, 7d, 90m");
    cmd->add_option("--out", opts->out_dir, "Also write board.md, board.json and board.html into DIR");
    cmd->add_flag("--json", opts->json, "Print board.json instead of the table");
    cmd->add_flag("--fail-on-stale", opts->fail_on_stale, "Exit 2 when any row is stale");
    cmd->add_flag("--reindex", opts->reindex, "Rebuild the catalog index from the bundles first");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_board(*opts, ctx); }; });
}

}  // namespace crm::harness

#include "harness/runner/runner.hpp"

#include <algorithm>
#include <exception>
#include <thread>

namespace crm::harness::runner {

unsigned effective_jobs(unsigned requested, std::size_t cells) {
    std::size_t n = requested == 0 ? std::min<std::size_t>(cells, 8) : requested;
    n = std::min(n, cells);
    return static_cast<unsigned>(std::max<std::size_t>(n, 1));
}

std::vector<CellReport> run_cells(const std::vector<matrix::Cell>& cells, CellExecutor& executor,
                                  RunEvents& events, const std::atomic<bool>& interrupted, unsigned jobs) {
    std::vector<CellReport> reports(cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) reports[i].cell = cells[i];
    std::atomic<std::size_t> next{0};
    auto worker = [&] {
        while (true) {
            if (interrupted.load()) return;
            std::size_t i = next.fetch_add(1);
            if (i >= cells.size()) return;
            events.cell_started(cells[i]);
            CellReport r;
            try {
                r = executor.run_cell(cells[i], interrupted, events);
            } catch (const std::exception& e) {
                // A bug in a step must not take the other cells down; it is this cell's
                // harness_error.
                r.cell = cells[i];
                r.cause = "harness_error";
                r.verdict = "error";
                r.explanation = std::string("internal error: ") + e.what();
            }
            r.started = true;
            reports[i] = std::move(r);
            events.cell_finished(reports[i]);
        }
    };
    unsigned n = effective_jobs(jobs, cells.size());
    if (n <= 1) {
        worker();
    } else {
        std::vector<std::thread> threads;
        threads.reserve(n);
        for (unsigned t = 0; t < n; ++t) threads.emplace_back(worker);
        for (auto& t : threads) t.join();
    }
    for (auto& r : reports) {
        if (!r.started) {
            r.interrupted = true;
            r.explanation = "not started: the run was interrupted";
        }
    }
    return reports;
}

util::json::value CellReport::to_json() const {
    util::json::object o;
    o["cell"] = cell.id;
    o["index"] = cell.index;
    o["host"] = cell.host_name;
    o["mode"] = scenario::to_string(cell.mode);
    o["pack"] = cell.pack;
    o["provider"] = cell.provider;
    if (!cell.profile.empty()) o["profile"] = cell.profile;
    o["expected_cause"] = cell.expected_cause ? util::json::value(*cell.expected_cause) : util::json::value(nullptr);
    o["started"] = started;
    o["finished"] = finished;
    o["interrupted"] = interrupted;
    o["cause"] = cause;
    o["verdict"] = verdict;
    o["explanation"] = explanation;
    if (!rule_id.empty()) o["rule_id"] = rule_id;
    util::json::array ev;
    for (const auto& e : evidence) ev.emplace_back(e);
    o["evidence"] = std::move(ev);
    util::json::object g;
    g["passed"] = gate.passed;
    g["outcome"] = gate::to_string(gate.outcome);
    g["reason"] = gate.reason;
    o["gate"] = std::move(g);
    o["imported"] = imported;
    o["rolled_back"] = rolled_back;
    o["started_at"] = started_at;
    o["elapsed_ms"] = elapsed_ms;
    o["network_ms"] = network_ms;
    util::json::array steps_arr;
    for (const auto& s : steps) {
        util::json::object so;
        so["number"] = s.number;
        so["step"] = s.step;
        so["status"] = s.status;
        if (!s.note.empty()) so["note"] = s.note;
        so["elapsed_ms"] = s.elapsed_ms;
        steps_arr.push_back(std::move(so));
    }
    o["steps"] = std::move(steps_arr);
    return o;
}

}  // namespace crm::harness::runner

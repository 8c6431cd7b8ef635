// many_sessions.cpp - 20 sessions at once through the C++ wrapper: create
// them all concurrently, run a command in each, read one label back from
// each, and delete them all. Runs on the embedded local backend unless a
// client config (JSON) is given as the first argument.
#include "agentbay.hpp"

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

using Clock = std::chrono::steady_clock;

static double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

int main(int argc, char **argv) {
    const int n = 20;
    try {
        agentbay::Client client(argc > 1 ? argv[1] : "");
        std::printf("client %s\n", client.info().c_str());

        // Start all creates, then collect them: they run concurrently.
        auto t0 = Clock::now();
        std::vector<std::future<std::string>> pending;
        for (int i = 0; i < n; i++)
            pending.push_back(client.create(R"({"labels": {"example": "many_sessions", "index": ")" +
                                            std::to_string(i) + "\"}}"));
        std::vector<agentbay::Session> sessions;
        for (auto &f : pending)
            sessions.push_back(agentbay::Session::from_result(f.get()));
        std::printf("created %d sessions in %.0f ms\n", n, ms_since(t0));

        // One command in each, all at once.
        t0 = Clock::now();
        std::vector<std::future<std::string>> outputs, labels;
        for (int i = 0; i < n; i++)
            outputs.push_back(sessions[i].call_mcp_tool(
                "shell", R"({"command": "echo session )" + std::to_string(i) + R"( in $PWD"})"));
        for (auto &s : sessions)
            labels.push_back(s.get_labels());
        for (int i = 0; i < n; i++) {
            std::string out = outputs[i].get(), lab = labels[i].get();
            if (i < 3 || i == n - 1)
                std::printf("%s: %s\n  labels %s\n", sessions[i].id().c_str(), out.c_str(), lab.c_str());
        }
        std::printf("ran %d commands in %.0f ms\n", n, ms_since(t0));

        t0 = Clock::now();
        std::vector<std::future<std::string>> deleting;
        for (auto &s : sessions)
            deleting.push_back(s.remove());
        for (auto &f : deleting)
            f.get();
        std::printf("deleted %d sessions in %.0f ms\n", n, ms_since(t0));
    } catch (const agentbay::Error &e) {
        std::fprintf(stderr, "error %d (%s): %s, request id \"%s\"\n", e.code(), e.kind().c_str(),
                     e.what(), e.request_id().c_str());
        ab_shutdown(); // the callbacks of calls still running, before exit
        return 1;
    }
    ab_shutdown();
    return 0;
}

// test_hpp.cpp - the C++ wrapper (examples/cpp/agentbay.hpp): moved-from
// objects, sessions that outlive their client, futures never waited on,
// errors as exceptions, status observers, and a result that cannot be
// copied (std::bad_alloc on the library thread) arriving as the future's
// exception instead of terminating the process. Live calls go to the
// embedded backend or to the client config in AB_TEST_CONFIG.
#include "agentbay.hpp"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                             \
        }                                                                             \
    } while (0)

// operator new that fails once, on a thread other than main, when armed.
// (gcc takes malloc and free inside a replaced operator new and delete for
// a mismatch.)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
static std::atomic<bool> fail_off_main{false};
static std::thread::id main_thread;

void *operator new(std::size_t n) {
    if (fail_off_main.load() && std::this_thread::get_id() != main_thread &&
        fail_off_main.exchange(false))
        throw std::bad_alloc();
    if (void *p = std::malloc(n ? n : 1))
        return p;
    throw std::bad_alloc();
}
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

// The code of the agentbay::Error that f throws (AB_OK if none), checked
// against the error's other fields.
template <class F> static int code_of(F f) {
    try {
        f();
    } catch (const agentbay::Error &e) {
        CHECK(e.code() != AB_OK && e.kind() != "ok");
        CHECK(std::string(e.what()).find(e.kind() + ": ") == 0);
        CHECK(std::string(e.what()).size() > e.kind().size() + 2); /* a message */
        return e.code();
    }
    return AB_OK;
}

static std::string config() {
    const char *c = std::getenv("AB_TEST_CONFIG");
    return c ? c : "";
}

int main() {
    main_thread = std::this_thread::get_id();
    unsetenv("AGENTBAY_API_KEY");
    unsetenv("AGENTBAY_ENDPOINT");

    // A client that cannot be made: the exception describes why.
    CHECK(code_of([] { agentbay::Client bad("{\"timeout_ms\": -1}"); }) == AB_E_INVALID_ARGUMENT);

    {
        // Moved-from objects are empty: their destructors and methods are
        // safe, methods throw invalid_handle.
        agentbay::Client a(config());
        agentbay::Client b(std::move(a));
        CHECK(a.handle() == 0 && b.handle() != 0);
        CHECK(code_of([&] { a.info(); }) == AB_E_INVALID_HANDLE);
        CHECK(code_of([&] { a.list(); }) == AB_E_INVALID_HANDLE);
        CHECK(b.info().find("\"version\"") != std::string::npos);

        agentbay::Session s = b.create_session(R"({"labels": {"suite": "capi-hpp"}})");
        agentbay::Session t(std::move(s));
        CHECK(s.handle() == 0);
        CHECK(code_of([&] { s.id(); }) == AB_E_INVALID_HANDLE);
        CHECK(!t.id().empty());
        s = std::move(t); // swap: t now empty
        CHECK(t.handle() == 0 && s.handle() != 0);

        // Errors: synchronous (bad JSON) and through the future.
        CHECK(code_of([&] { b.create("{"); }) == AB_E_INVALID_ARGUMENT);
        auto gone = b.get("no-such-session");
        CHECK(code_of([&] { gone.get(); }) == AB_E_NOT_FOUND);
        CHECK(code_of([&] { s.call("get_link", R"({"port": 80})"); }) == AB_E_INVALID_ARGUMENT);
        CHECK(code_of([&] { b.call("no_such_operation"); }) == AB_E_UNSUPPORTED);
        CHECK(s.call("get_status").get().find("\"status\":\"RUNNING\"") != std::string::npos);
        CHECK(b.call("list", R"({"labels": {"suite": "capi-hpp"}})").get().find("session_ids") !=
              std::string::npos);

        // Status events: each status the wait reads, once and in order,
        // ending with the one waited for. What on_status throws comes out
        // of the future once the call has ended; the wait goes on.
        std::vector<std::string> seen;
        auto note = [&](const std::string &st, long long reads) {
            CHECK(reads >= 1);
            seen.push_back(st);
        };
        CHECK(s.pause(30000, 100, note).get().find("\"success\":true") != std::string::npos);
        CHECK(!seen.empty() && seen.back() == "PAUSED");
        for (size_t i = 1; i < seen.size(); i++)
            CHECK(seen[i] != seen[i - 1]);
        struct Boom {};
        bool boom = false;
        try {
            s.resume(0, 0, [](const std::string &, long long) { throw Boom{}; }).get();
        } catch (const Boom &) {
            boom = true;
        }
        CHECK(boom);
        CHECK(s.get_status().get().find("\"status\":\"RUNNING\"") != std::string::npos);
        CHECK(code_of([&] { s.pause(-1000, 0, note).get(); }) == AB_E_INVALID_ARGUMENT);
        bool empty_refused = false;
        try {
            s.pause(0, 0, agentbay::StatusFn());
        } catch (const std::invalid_argument &) {
            empty_refused = true;
        }
        CHECK(empty_refused);
        CHECK(s.get_status().get().find("\"status\":\"RUNNING\"") != std::string::npos); // nothing started
        {
            agentbay::Session doomed = b.create_session();
            seen.clear();
            CHECK(doomed.remove(false, note).get().find("\"success\":true") != std::string::npos);
            CHECK(!seen.empty() && seen.back() == "DELETED");
        }

        // A result that cannot be copied on the library thread: the future
        // holds std::bad_alloc, and the process goes on.
        fail_off_main = true;
        auto f = s.get_status();
        bool bad_alloc = false;
        try {
            f.get();
        } catch (const std::bad_alloc &) {
            bad_alloc = true;
        }
        fail_off_main = false;
        CHECK(bad_alloc);
        CHECK(s.get_status().get().find("RUNNING") != std::string::npos);

        // Futures never waited on, some still running when the client goes;
        // the session outlives its client.
        std::vector<std::future<std::string>> dropped;
        for (int i = 0; i < 10; i++)
            dropped.push_back(s.call_mcp_tool("shell", R"({"command": "sleep 2"})"));
        for (int i = 0; i < 10; i++)
            (void)s.get_labels();
        auto pending = s.call_mcp_tool("shell", R"({"command": "sleep 5"})");
        { agentbay::Client gone_first(std::move(b)); }
        CHECK(code_of([&] { pending.get(); }) == AB_E_CANCELLED);
        CHECK(code_of([&] { s.id(); }) == AB_E_INVALID_HANDLE);
        CHECK(code_of([&] { s.info(); }) == AB_E_INVALID_HANDLE);
    } // s, t, a, b: destructors of closed and empty handles

    CHECK(ab_shutdown() == AB_OK);
    CHECK(ab_debug_handle_count() == 0);
    std::printf("test_hpp: ok\n");
    return 0;
}

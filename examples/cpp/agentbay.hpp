// agentbay.hpp - a small header-only C++17 wrapper over the libagentbay C
// ABI (agentbay.h): handles are owned by RAII objects, asynchronous calls
// return std::future<std::string> holding the result JSON, and failures
// are thrown as agentbay::Error (from the call, or from future::get()).
//
//   agentbay::Client client;                    // embedded local backend
//   agentbay::Session s = client.create_session();
//   std::string out = s.call_mcp_tool("shell", R"({"command": "ls"})").get();
//
// Results are JSON texts; parse them with the JSON library of your choice.
#ifndef AGENTBAY_HPP
#define AGENTBAY_HPP

#include <agentbay.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

namespace agentbay {

// An error of the library: the AB_E_* code, its stable kind ("not_found",
// "cancelled", ...), the message, and the service's request id.
class Error : public std::runtime_error {
public:
    Error(int code, const ab_error *err)
        : std::runtime_error(std::string(ab_error_kind(err)) + ": " + ab_error_message(err)),
          code_(code), kind_(ab_error_kind(err)), request_id_(ab_error_request_id(err)),
          service_code_(ab_error_service_code(err)), http_status_(ab_error_http_status(err)),
          retryable_(ab_error_retryable(err) != 0) {}

    int code() const { return code_; }
    const std::string &kind() const { return kind_; }
    const std::string &request_id() const { return request_id_; }
    const std::string &service_code() const { return service_code_; }
    int http_status() const { return http_status_; }
    bool retryable() const { return retryable_; }

private:
    int code_;
    std::string kind_, request_id_, service_code_;
    int http_status_;
    bool retryable_;
};

// Sees each status that the wait of pause, resume or remove reads, once and
// in order, with the number of reads so far; it runs on a library thread.
// If it throws, the wait goes on, and the call's future throws that
// exception once the call has ended. An empty one is refused
// (std::invalid_argument) before anything starts.
using StatusFn = std::function<void(const std::string &status, long long reads)>;

namespace detail {

// Owners of what the library returns, freed even when copying them throws.
struct error_free {
    void operator()(ab_error *e) const { ab_error_free(e); }
};
struct string_free {
    void operator()(char *s) const { ab_string_free(s); }
};
using owned_error = std::unique_ptr<ab_error, error_free>;
using owned_string = std::unique_ptr<char, string_free>;

// Throws the error of a failed call, freeing it. Call it only after the
// call has returned: check(ab_x(..., &err), err) may read err first.
inline void check(int rc, ab_error *err) {
    owned_error owned(err);
    if (rc != AB_OK)
        throw Error(rc, err);
}

// Fulfils p with a completion. It runs on a library thread, called from C:
// nothing may escape it, so a failure to copy the result (std::bad_alloc)
// becomes the future's exception.
inline void fulfil(std::promise<std::string> &p, int status, const char *result,
                   const ab_error *err) noexcept {
    try {
        if (status == AB_OK)
            p.set_value(result);
        else
            p.set_exception(std::make_exception_ptr(Error(status, err)));
    } catch (...) {
        try {
            p.set_exception(std::current_exception());
        } catch (...) { // already satisfied: cannot happen
        }
    }
}

// The completion callback: user_data is the call's promise, which it
// fulfils and deletes.
inline void complete(void *user_data, ab_op, int status, const char *result,
                     const ab_error *err) noexcept {
    std::unique_ptr<std::promise<std::string>> p(static_cast<std::promise<std::string> *>(user_data));
    fulfil(*p, status, result, err);
}

// An observed call: its promise, its StatusFn and what that threw. The
// library never calls on_status once the completion has started, so the
// completion may read thrown and delete it all.
struct Observed {
    std::promise<std::string> promise;
    StatusFn on_status;
    std::exception_ptr thrown;
};

inline void observed_status(void *user_data, ab_op, const char *status, int64_t reads) noexcept {
    auto *o = static_cast<Observed *>(user_data);
    try {
        o->on_status(status, reads);
    } catch (...) {
        if (!o->thrown)
            o->thrown = std::current_exception();
    }
}

inline void observed_complete(void *user_data, ab_op, int status, const char *result,
                              const ab_error *err) noexcept {
    std::unique_ptr<Observed> o(static_cast<Observed *>(user_data));
    if (o->thrown)
        o->promise.set_exception(o->thrown);
    else
        fulfil(o->promise, status, result, err);
}

// Starts an asynchronous call: call(cb, user_data, err_out) returns the
// status of one of the ab_ functions that take a callback.
template <class Call> std::future<std::string> start(Call call) {
    auto *p = new std::promise<std::string>();
    std::future<std::string> f = p->get_future();
    ab_error *err = nullptr;
    int rc = call(&complete, p, &err);
    if (rc != AB_OK)
        delete p; // no callback will come
    check(rc, err);
    return f;
}

// Starts the waiting session operation name (pause, resume, delete) with
// ab_session_call_observed; on_status sees its statuses.
inline std::future<std::string> start_observed(ab_session h, const char *name,
                                               const std::string &params_json, StatusFn on_status) {
    if (!on_status)
        throw std::invalid_argument("on_status is empty: call the overload without it");
    auto *o = new Observed{{}, std::move(on_status), nullptr};
    std::future<std::string> f = o->promise.get_future();
    ab_error *err = nullptr;
    int rc = ab_session_call_observed(h, name, params_json.c_str(), &observed_status, o,
                                      &observed_complete, o, nullptr, &err);
    if (rc != AB_OK)
        delete o; // no callback will come
    check(rc, err);
    return f;
}

// Milliseconds as a JSON number of seconds, with integers only (a
// floating-point format would follow the host's locale).
inline std::string seconds(long long ms) {
    unsigned long long a = ms < 0 ? 0ULL - static_cast<unsigned long long>(ms) : ms;
    char frac[8];
    std::snprintf(frac, sizeof frac, ".%03llu", a % 1000);
    return (ms < 0 ? "-" : "") + std::to_string(a / 1000) + frac;
}

// The parameters of a status wait, in the seconds of the operation table
// (0 leaves the default).
inline std::string wait_params(long long timeout_ms, long long poll_interval_ms) {
    std::string p = "{";
    if (timeout_ms)
        p += "\"timeout\": " + seconds(timeout_ms);
    if (poll_interval_ms)
        p += std::string(timeout_ms ? ", " : "") + "\"poll_interval\": " + seconds(poll_interval_ms);
    return p + "}";
}

inline const char *or_null(const std::string &s) { return s.empty() ? nullptr : s.c_str(); }

// Reads the number after "key": in a JSON text, e.g. the session handle of
// a create or get result.
inline unsigned long long json_number(const std::string &json, const char *key) {
    std::string pat = std::string("\"") + key + "\":";
    auto at = json.find(pat);
    if (at == std::string::npos)
        throw std::invalid_argument(std::string("no \"") + key + "\" in " + json);
    return std::strtoull(json.c_str() + at + pat.size(), nullptr, 10);
}

} // namespace detail

// A session handle, freed by the destructor. Its methods are the
// AsyncSession API; each returns a future of the result JSON.
class Session {
public:
    // Takes ownership of a handle, e.g. the session_handle of a result.
    explicit Session(ab_session h) : h_(h) {}
    // Owns the handle in a create or get result.
    static Session from_result(const std::string &result_json) {
        return Session(detail::json_number(result_json, "session_handle"));
    }
    ~Session() { ab_session_free(h_); }
    Session(Session &&o) noexcept : h_(std::exchange(o.h_, 0)) {}
    Session &operator=(Session &&o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    ab_session handle() const { return h_; }

    std::string id() const {
        char *s = nullptr;
        ab_error *err = nullptr;
        int rc = ab_session_id(h_, &s, &err); // before err is read
        detail::check(rc, err);
        return detail::owned_string(s).get();
    }

    // Runs any session operation by name with its parameters as JSON (the
    // operation table of the README); the methods below are the typed ones.
    std::future<std::string> call(const std::string &name, const std::string &params_json = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_call(h_, name.c_str(), detail::or_null(params_json), cb, ud, nullptr,
                                   err);
        });
    }

    std::future<std::string> set_labels(const std::string &labels_json) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_set_labels(h_, labels_json.c_str(), cb, ud, nullptr, err);
        });
    }
    std::future<std::string> get_labels() {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_get_labels(h_, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> info() {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_info(h_, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> get_link(const std::string &protocol_type = "", int port = 0,
                                      const std::string &options = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_get_link(h_, detail::or_null(protocol_type), port,
                                       detail::or_null(options), cb, ud, nullptr, err);
        });
    }
    std::future<std::string> list_mcp_tools(const std::string &image_id = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_list_mcp_tools(h_, detail::or_null(image_id), cb, ud, nullptr, err);
        });
    }
    // options_json: {"read_timeout", "connect_timeout"} in milliseconds.
    std::future<std::string> call_mcp_tool(const std::string &tool, const std::string &args_json = "",
                                           const std::string &options_json = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_call_mcp_tool(h_, tool.c_str(), detail::or_null(args_json),
                                            detail::or_null(options_json), cb, ud, nullptr, err);
        });
    }
    std::future<std::string> pause(long long timeout_ms = 0, long long poll_interval_ms = 0) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_pause(h_, timeout_ms, poll_interval_ms, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> pause(long long timeout_ms, long long poll_interval_ms,
                                   StatusFn on_status) {
        return detail::start_observed(h_, "pause", detail::wait_params(timeout_ms, poll_interval_ms),
                                      std::move(on_status));
    }
    std::future<std::string> pause_async() {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_pause_async(h_, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> resume(long long timeout_ms = 0, long long poll_interval_ms = 0) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_resume(h_, timeout_ms, poll_interval_ms, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> resume(long long timeout_ms, long long poll_interval_ms,
                                    StatusFn on_status) {
        return detail::start_observed(h_, "resume",
                                      detail::wait_params(timeout_ms, poll_interval_ms),
                                      std::move(on_status));
    }
    std::future<std::string> resume_async() {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_resume_async(h_, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> get_status() {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_get_status(h_, cb, ud, nullptr, err);
        });
    }
    // delete is a keyword; this is the reference's session.delete().
    std::future<std::string> remove(bool sync_context = false) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_session_delete(h_, sync_context, cb, ud, nullptr, err);
        });
    }
    std::future<std::string> remove(bool sync_context, StatusFn on_status) {
        return detail::start_observed(h_, "delete",
                                      sync_context ? R"({"sync_context": true})" : "{}",
                                      std::move(on_status));
    }

private:
    ab_session h_;
};

// A client, closed by the destructor (which cancels its operations and
// frees its sessions' handles: a Session may outlive its Client, and then
// its calls throw invalid_handle). Futures of cancelled calls throw
// cancelled; a future never waited on is fine.
class Client {
public:
    // config_json as for ab_client_new; empty means the defaults (the
    // embedded local backend unless AGENTBAY_API_KEY is set).
    explicit Client(const std::string &config_json = "") {
        ab_error *err = nullptr;
        int rc = ab_client_new(detail::or_null(config_json), &h_, &err); // before err is read
        detail::check(rc, err);
    }
    ~Client() { ab_client_close(h_); }
    Client(Client &&o) noexcept : h_(std::exchange(o.h_, 0)) {}
    Client &operator=(Client &&o) noexcept {
        std::swap(h_, o.h_);
        return *this;
    }
    Client(const Client &) = delete;
    Client &operator=(const Client &) = delete;

    ab_client handle() const { return h_; }

    std::string info() const {
        char *s = nullptr;
        ab_error *err = nullptr;
        int rc = ab_client_info(h_, &s, &err); // before err is read
        detail::check(rc, err);
        return detail::owned_string(s).get();
    }

    // Runs any client operation by name with its parameters as JSON.
    std::future<std::string> call(const std::string &name, const std::string &params_json = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_client_call(h_, name.c_str(), detail::or_null(params_json), cb, ud, nullptr,
                                  err);
        });
    }

    // The result holds a session handle: take it with Session::from_result
    // (until then it is registered, until the client closes).
    std::future<std::string> create(const std::string &params_json = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_client_create(h_, detail::or_null(params_json), cb, ud, nullptr, err);
        });
    }
    Session create_session(const std::string &params_json = "") {
        return Session::from_result(create(params_json).get());
    }
    std::future<std::string> get(const std::string &session_id) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_client_get(h_, session_id.c_str(), cb, ud, nullptr, err);
        });
    }
    std::future<std::string> list(const std::string &params_json = "") {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_client_list(h_, detail::or_null(params_json), cb, ud, nullptr, err);
        });
    }
    std::future<std::string> remove(const std::string &session_id, bool sync_context = false) {
        return detail::start([&](ab_callback cb, void *ud, ab_error **err) {
            return ab_client_delete(h_, session_id.c_str(), sync_context, cb, ud, nullptr, err);
        });
    }

private:
    ab_client h_ = 0;
};

} // namespace agentbay

#endif // AGENTBAY_HPP

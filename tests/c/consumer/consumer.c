/*
 * A program that uses an installed libagentbay the way a project outside
 * this repository would: built through find_package(agentbay) or through
 * pkg-config (see run.sh). It checks that header and library match and
 * makes a few calls that need no backend.
 */
#include <stdio.h>
#include <string.h>

#include <agentbay.h>

int main(void)
{
    ab_client client = 0;
    ab_session session = 0;
    ab_error *err = NULL;
    char *id = NULL;
    int ok;

    if (ab_abi_version() != AB_ABI_VERSION || strcmp(ab_version(), AB_VERSION) != 0) {
        fprintf(stderr, "header %s does not match library %s\n", AB_VERSION, ab_version());
        return 1;
    }
    /* A client does no I/O until a call is made. */
    if (ab_client_new("{\"endpoint\": \"http://127.0.0.1:9\", \"api_key\": \"k\"}",
                      &client, &err) != AB_OK ||
        ab_session_new(client, "session-1", &session, &err) != AB_OK ||
        ab_session_id(session, &id, &err) != AB_OK) {
        fprintf(stderr, "%s: %s\n", ab_error_kind(err), ab_error_message(err));
        ab_error_free(err);
        return 1;
    }
    ok = strcmp(id, "session-1") == 0;
    ab_string_free(id);
    ab_client_close(client);
    ab_shutdown();
    printf("consumer: libagentbay %s, %s\n", ab_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

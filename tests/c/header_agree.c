/*
 * Compile-time check that the public header and the header cgo generates
 * from the //export functions agree: a prototype that differs in any
 * parameter or return type (const included) fails with "conflicting types".
 */
#include "agentbay.h"
#include "agentbay-cgo.h"

int main(void)
{
    return 0;
}

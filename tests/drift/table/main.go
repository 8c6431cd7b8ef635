// Command table prints the operation table as the README shows it:
// go run ./tests/drift/table
package main

import (
	"fmt"

	"github.com/libagentbay/libagentbay/core/ops"
)

func main() { fmt.Print(ops.Markdown()) }

// Command confcert gives on-premises conferencing servers the certificates
// they need. All the work is in internal/cli and the packages it wires.
package main

import (
	"os"

	"github.com/confcert/confcert/internal/cli"
)

func main() {
	os.Exit(cli.Run())
}

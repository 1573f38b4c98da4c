//go:build !unix

package kfake

import "errors"

// syncFS would flush the file systems to disk; only Unix has sync(2).
func syncFS() error {
	return errors.New("a file was closed before its fsync, and this platform cannot sync its file system")
}

//go:build unix

package kfake

import "syscall"

// syncFS flushes every file system to disk (sync(2)): the fallback for a
// file closed before the group commit synced it. Rare: after a compaction.
func syncFS() error {
	syscall.Sync()
	return nil
}

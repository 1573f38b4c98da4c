package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// lockSlot takes the first free instance directory <dir>/<role>-<n> and
// holds an exclusive lock on it until unlock.
func lockSlot(dir, role string) (string, func(), error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", nil, fmt.Errorf("create %s: %w", dir, err)
	}
	for n := 0; n < 256; n++ {
		path := filepath.Join(dir, fmt.Sprintf("%s-%d", role, n))
		f, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			return "", nil, fmt.Errorf("open instance lock: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				continue
			}
			return "", nil, fmt.Errorf("lock %s: %w", path, err)
		}
		return path, func() { f.Close() }, nil
	}
	return "", nil, fmt.Errorf("no free instance directory under %s: more than 256 %s instances share it", dir, strings.ToLower(role))
}

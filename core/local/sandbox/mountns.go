package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"

	"golang.org/x/sys/unix"
)

// mountNS is the mount namespace of a box in MountNamespace mode, made on
// the box's first command and shared by all of them: root/home and
// root/tmp are bound on /home and /tmp once, rather than by each command.
//
// No process holds it: an open descriptor of the namespace does, so it
// lives as long as the box keeps it (or one of its processes lives) and
// dies with the server. Mounts of the host still propagate into it, none
// of its own out.
type mountNS struct {
	f *os.File // the namespace (nsfs)
}

// errStaleNS: the namespace no longer shows the session's folders.
var errStaleNS = errors.New("the session's mount namespace has changed")

// fileID identifies a file: it changes when a folder is deleted and made
// again, or another is renamed in its place.
type fileID struct{ dev, ino uint64 }

// view identifies the folders that the commands of a session see, from
// / (the host's root or the namespace's).
type view [3]fileID

var viewPaths = [3]string{"/tmp", "/home", Home}

// viewOf returns the view from root.
func viewOf(root string) (view, error) {
	var v view
	for i, p := range viewPaths {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(root, p), &st); err != nil {
			return v, err
		}
		v[i] = fileID{st.Dev, st.Ino}
	}
	return v, nil
}

// onFreshThread runs f on a goroutine locked to an OS thread that f may
// change for good (namespace, root, cwd): the goroutine never unlocks the
// thread, so the Go runtime ends the thread with it rather than reuse it.
func onFreshThread(f func() error) error {
	ch := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		ch <- f()
	}()
	return <-ch
}

// newMountNS makes the namespace of the box whose root is root.
func newMountNS(root string) (*mountNS, error) {
	ns := &mountNS{}
	err := onFreshThread(func() error {
		// CLONE_NEWNS also gives the thread its own root and cwd.
		if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_SLAVE, ""); err != nil {
			return fmt.Errorf("making / a slave mount: %w", err)
		}
		// Bind relative to the root, which stays the cwd, so that binding
		// one folder hides not the other (the root may be under /home or
		// /tmp).
		if err := unix.Chdir(root); err != nil {
			return err
		}
		for _, d := range []string{"home", "tmp"} {
			if err := unix.Mount(d, "/"+d, "", unix.MS_BIND, ""); err != nil {
				return fmt.Errorf("binding %s on /%s: %w", filepath.Join(root, d), d, err)
			}
		}
		f, err := os.Open("/proc/thread-self/ns/mnt")
		ns.f = f
		return err
	})
	if err != nil {
		return nil, err
	}
	return ns, nil
}

func (ns *mountNS) close() { ns.f.Close() }

// start starts cmd inside the namespace, unless the namespace does not
// show want (the session's folders, from the host): then it returns
// errStaleNS. os/exec forks on the calling thread, and the child inherits
// that thread's namespace.
func (ns *mountNS) start(cmd *exec.Cmd, want view) error {
	return onFreshThread(func() error {
		// setns(CLONE_NEWNS) refuses a thread that shares its root and
		// cwd with the other threads.
		if err := unix.Unshare(unix.CLONE_FS); err != nil {
			return fmt.Errorf("unshare: %w", err)
		}
		// Control keeps the descriptor open meanwhile, should the box
		// drop the namespace.
		rc, err := ns.f.SyscallConn()
		if err != nil {
			return err
		}
		if cerr := rc.Control(func(fd uintptr) { err = unix.Setns(int(fd), unix.CLONE_NEWNS) }); cerr != nil {
			return cerr
		}
		if err != nil {
			return fmt.Errorf("entering the session's mount namespace: %w", err)
		}
		// The session's folders may have been replaced since the
		// namespace was made, or a command may have unmounted or
		// covered them.
		if got, err := viewOf("/"); err != nil || got != want {
			return errStaleNS
		}
		return startIn(cmd)
	})
}

package zkdb

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ValidatePath applies ZooKeeper's PathUtils.validatePath: the path starts with "/", does
// not end with "/" (except the root), has no empty, "." or ".." segments, and no NUL,
// control (U+0001–U+001F, U+007F–U+009F) or otherwise forbidden character (U+D800–U+F8FF,
// U+FFF0–U+FFFF, anything outside the BMP, which Java sees as surrogates, and invalid UTF-8).
// The error wraps ErrBadArguments.
func ValidatePath(path string) error {
	return validatePath(path, false)
}

// ValidateCreatePath validates the path of a create: for a sequential create ZooKeeper
// validates path+"1", so "/a/" is a valid sequential prefix (it yields "/a/0000000000").
func ValidateCreatePath(path string, sequential bool) error {
	return validatePath(path, sequential)
}

// validatePath checks path, or path followed by the character '1' when seq is set, without
// building that string.
func validatePath(path string, seq bool) error {
	n := len(path)
	if seq {
		n++
	}
	at := func(i int) byte {
		if i == len(path) {
			return '1'
		}
		return path[i]
	}
	if n == 0 {
		return pathError(path, "path length must be > 0")
	}
	if at(0) != '/' {
		return pathError(path, "path must start with / character")
	}
	if n == 1 {
		return nil
	}
	if at(n-1) == '/' {
		return pathError(path, "path must not end with / character")
	}
	for i := 1; i < n; {
		c := at(i)
		prev := at(i - 1)
		switch {
		case c == 0:
			return pathError(path, fmt.Sprintf("null character not allowed @%d", i))
		case c == '/' && prev == '/':
			return pathError(path, fmt.Sprintf("empty node name specified @%d", i))
		case c == '.' && prev == '.':
			if at(i-2) == '/' && (i+1 == n || at(i+1) == '/') {
				return pathError(path, fmt.Sprintf("relative paths not allowed @%d", i))
			}
		case c == '.':
			if prev == '/' && (i+1 == n || at(i+1) == '/') {
				return pathError(path, fmt.Sprintf("relative paths not allowed @%d", i))
			}
		}
		if c < utf8.RuneSelf {
			if c <= 0x1f || c == 0x7f {
				return pathError(path, fmt.Sprintf("invalid character @%d", i))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(path[i:])
		if r == utf8.RuneError || r >= 0x7f && r <= 0x9f || r >= 0xd800 && r <= 0xf8ff || r >= 0xfff0 {
			return pathError(path, fmt.Sprintf("invalid character @%d", i))
		}
		i += size
	}
	return nil
}

func pathError(path, reason string) error {
	return fmt.Errorf("%w: invalid path %q: %s", ErrBadArguments, path, reason)
}

// parentOf is PrepRequestProcessor's light check of a create or delete path: it must hold a
// "/" and no NUL. It returns everything before the last "/" ("/" for a child of the root).
func parentOf(path string) (string, bool) {
	i := strings.LastIndexByte(path, '/')
	if i < 0 || strings.IndexByte(path, 0) >= 0 {
		return "", false
	}
	if i == 0 {
		return rootPath, true
	}
	return path[:i], true
}

// lookupPath is the node a read names: ZooKeeper's DataTree aliases "" to the root.
func lookupPath(path string) string {
	if path == "" {
		return rootPath
	}
	return path
}

// splitPath returns the parent path and the last segment of a valid path other than "/".
func splitPath(path string) (parent, name string) {
	i := strings.LastIndexByte(path, '/')
	if i == 0 {
		return "/", path[1:]
	}
	return path[:i], path[i+1:]
}

// childPath joins a parent path and a child name.
func childPath(parent, name string) string {
	if parent == "/" {
		return "/" + name
	}
	return parent + "/" + name
}

// The nodes every tree has (DataTree's rootZookeeper, procZookeeper, quotaZookeeper and
// ZooDefs.CONFIG_NODE). They cannot be deleted (ZKDatabase.isSpecialPath).
const (
	rootPath      = "/"
	procPath      = "/zookeeper"
	quotaPath     = "/zookeeper/quota"
	configPath    = "/zookeeper/config"
	sequenceWidth = 10
)

func isSpecialPath(path string) bool {
	return path == rootPath || path == procPath || path == quotaPath || path == configPath
}

// sequentialPath appends ZooKeeper's sequence suffix, String.format("%010d", cversion):
// ten digits, zero-padded, a minus sign counting towards the width.
func sequentialPath(path string, cversion int32) string {
	var buf [32]byte
	b := append(buf[:0], path...) // grows onto the heap only for long paths
	v := int64(cversion)
	width := sequenceWidth
	if v < 0 {
		b = append(b, '-')
		v = -v
		width--
	}
	var digits [12]byte
	d := len(digits)
	for v > 0 || d == len(digits) {
		d--
		digits[d] = byte('0' + v%10)
		v /= 10
	}
	for pad := width - (len(digits) - d); pad > 0; pad-- {
		b = append(b, '0')
	}
	b = append(b, digits[d:]...)
	return string(b)
}

package zkwire

import (
	"encoding/binary"
	"errors"
	"io"
)

// MaxDataSize is ZooKeeper's default jute.maxbuffer: the largest znode data (1 MiB).
const MaxDataSize = 1 << 20

// MaxFrameSize is the default largest frame payload ReadFrame accepts: ZooKeeper's
// jute.maxbuffer default, 0xfffff (one byte under 1 MiB). A ZooKeeper server closes the
// connection of a client whose frame announces more (NIOServerCnxn: "Len error"), the
// connect frame included, so a setData carries at most about 1 MiB minus its headers.
const MaxFrameSize = 1<<20 - 1

// readChunk bounds how much ReadFrame allocates before the bytes have arrived, so a peer
// that announces a large frame and sends little costs little memory.
const readChunk = 64 << 10

// ReadFrame reads one frame: a big-endian int32 length, then that many payload bytes, which
// it returns (without the length). It refuses negative lengths (ErrFrameLength) and lengths
// over limit (ErrFrameTooLarge); limit <= 0 means MaxFrameSize. A reader that ends before
// the first byte gives io.EOF, one that ends inside the frame io.ErrUnexpectedEOF. Memory
// grows with the bytes actually received, not with the announced length.
func ReadFrame(r io.Reader, limit int) ([]byte, error) {
	if limit <= 0 {
		limit = MaxFrameSize
	}
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:])))
	switch {
	case n < 0:
		return nil, ErrFrameLength
	case n > limit:
		return nil, ErrFrameTooLarge
	}
	buf := make([]byte, 0, min(n, readChunk))
	for len(buf) < n {
		k := min(n-len(buf), readChunk)
		if cap(buf)-len(buf) < k {
			grown := make([]byte, len(buf), min(n, max(2*cap(buf), len(buf)+k)))
			copy(grown, buf)
			buf = grown
		}
		if _, err := io.ReadFull(r, buf[len(buf):len(buf)+k]); err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		buf = buf[:len(buf)+k]
	}
	return buf, nil
}

// AppendFrame appends payload to dst as one frame (length prefix, then payload).
func AppendFrame(dst, payload []byte) []byte {
	dst = appendInt32(dst, int32(len(payload)))
	return append(dst, payload...)
}

package zkwire

import "errors"

// Errors returned by the decoders and ReadFrame. Decoding errors are wrapped with the name
// of the message being decoded; test for them with errors.Is.
var (
	// ErrTruncated: the input ended inside a field.
	ErrTruncated = errors.New("zkwire: truncated input")
	// ErrBadLength: a string, buffer or vector length is negative (other than -1 where null
	// is allowed) or larger than the bytes that remain.
	ErrBadLength = errors.New("zkwire: bad length")
	// ErrShortHeader: a request frame is shorter than its 8-byte RequestHeader, so not even
	// the xid is known.
	ErrShortHeader = errors.New("zkwire: request shorter than its header")
	// ErrBadMultiOp: an op of a multi or multiRead has a type that may not appear there.
	ErrBadMultiOp = errors.New("zkwire: op type not allowed in this multi")
	// ErrFrameLength: a frame's length prefix is negative.
	ErrFrameLength = errors.New("zkwire: negative frame length")
	// ErrFrameTooLarge: a frame's length prefix exceeds the allowed maximum.
	ErrFrameTooLarge = errors.New("zkwire: frame too large")
)

// Package zkwire encodes and decodes ZooKeeper 3.8's client wire protocol: the length-prefixed
// frames, the ConnectRequest/ConnectResponse handshake, request bodies and reply bodies, in
// the jute binary format (big-endian integers, 1-byte booleans, int32-length-prefixed strings,
// buffers and vectors). It is what a TCP server needs to let real ZooKeeper clients
// (go-zookeeper/zk, zkCli.sh, kazoo) talk to zablab's simulated servers.
//
// The package is pure: no sockets, goroutines or clocks. ReadFrame reads one frame from an
// io.Reader; everything else works on byte slices. Decoded values never alias the frame they
// were decoded from, so a caller may reuse its frame buffers.
//
// A server's loop is, in outline:
//
//	frame, err := zkwire.ReadFrame(conn, zkwire.MaxFrameSize)
//	var creq zkwire.ConnectRequest
//	err = creq.Decode(frame)             // first frame only
//	out = zkwire.ConnectResponse{...}.Encode(out[:0])
//	...
//	h, req, err := zkwire.DecodeRequest(frame)
//	out = zkwire.AppendDataReply(out[:0], zkwire.ReplyHeader{Xid: h.Xid, Zxid: z}, data, stat)
//
// Null handling follows what the clients accept: the encoders never write a null (-1)
// string or vector (go-zookeeper cannot read them); a nil []byte buffer is written as null
// (-1), as ZooKeeper does for a node created with null data, and every client reads that as
// nil/None/null. The decoders read a null buffer as nil and an empty one as a non-nil empty
// slice, and a null or empty vector as nil.
package zkwire

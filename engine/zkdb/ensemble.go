package zkdb

import (
	"slices"
	"strconv"
)

// Ensemble is what a tree needs to know about the servers it runs on: the membership that
// "/zookeeper/config" shows (ZooKeeper: the QuorumVerifier a server starts with, written into
// its database by ZKDatabase.initConfigInZKDatabase). Every server of an ensemble builds its
// tree from the same Ensemble, so the trees stay equal.
type Ensemble struct {
	// Servers are the members, in any order; the config lists them by id.
	Servers []EnsembleServer
	// Version is the configuration's version (0 for a static configuration).
	Version int64
	// DataLimit, when positive, bounds the bytes of paths and data the tree holds: a create
	// or setData beyond it fails with QUOTAEXCEEDED (zablab's room data budget; ZooKeeper
	// 3.8 answers the same code for an enforced quota).
	DataLimit int
	// ExtendedTypes is ZooKeeper's zookeeper.extendedTypesEnabled: TTL creates are allowed
	// (without it they are UNIMPLEMENTED).
	ExtendedTypes bool
}

// EnsembleServer is one member of an Ensemble, as a "server.<id>=" line describes it.
type EnsembleServer struct {
	ID       int
	Observer bool
	// Host is the member's address; "" means 127.0.0.1.
	Host string
	// QuorumPort and ElectionPort are the member's peer ports (2888 and 3888 in ZooKeeper's
	// sample configuration).
	QuorumPort, ElectionPort int
	// ClientPort, when not zero, is written after ";" as a dynamic configuration file does; a
	// static configuration (clientPort in zoo.cfg) leaves it out.
	ClientPort int
}

// ConfigData is the content of "/zookeeper/config" (QuorumMaj.toString): one line
// "server.<id>=<host>:<quorum>:<election>:<participant|observer>[;<host>:<client>]" per
// member in id order, then "version=<hex>" without a newline. It is empty for an ensemble
// without members.
func (e Ensemble) ConfigData() []byte {
	if len(e.Servers) == 0 {
		return []byte{}
	}
	servers := slices.Clone(e.Servers)
	slices.SortFunc(servers, func(a, b EnsembleServer) int { return a.ID - b.ID })
	var b []byte
	for _, s := range servers {
		host := s.Host
		if host == "" {
			host = "127.0.0.1"
		}
		b = append(b, "server."...)
		b = strconv.AppendInt(b, int64(s.ID), 10)
		b = append(b, '=')
		b = append(b, host...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(s.QuorumPort), 10)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(s.ElectionPort), 10)
		if s.Observer {
			b = append(b, ":observer"...)
		} else {
			b = append(b, ":participant"...)
		}
		if s.ClientPort != 0 {
			b = append(b, ';')
			b = append(b, host...)
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(s.ClientPort), 10)
		}
		b = append(b, '\n')
	}
	b = append(b, "version="...)
	return strconv.AppendUint(b, uint64(e.Version), 16)
}

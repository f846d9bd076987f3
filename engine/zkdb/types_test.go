package zkdb

import (
	"errors"
	"testing"
)

func TestErrCodes(t *testing.T) {
	// Every code of the reference (§6), with its value and ZooKeeper name.
	cases := []struct {
		e    Err
		code int32
		name string
	}{
		{OK, 0, "OK"}, {ErrSystemError, -1, "SYSTEMERROR"},
		{ErrRuntimeInconsistency, -2, "RUNTIMEINCONSISTENCY"},
		{ErrDataInconsistency, -3, "DATAINCONSISTENCY"}, {ErrConnectionLoss, -4, "CONNECTIONLOSS"},
		{ErrMarshallingError, -5, "MARSHALLINGERROR"}, {ErrUnimplemented, -6, "UNIMPLEMENTED"},
		{ErrOperationTimeout, -7, "OPERATIONTIMEOUT"}, {ErrBadArguments, -8, "BADARGUMENTS"},
		{ErrUnknownSession, -12, "UNKNOWNSESSION"}, {ErrNewConfigNoQuorum, -13, "NEWCONFIGNOQUORUM"},
		{ErrReconfigInProgress, -14, "RECONFIGINPROGRESS"}, {ErrAPIError, -100, "APIERROR"},
		{ErrNoNode, -101, "NONODE"}, {ErrNoAuth, -102, "NOAUTH"}, {ErrBadVersion, -103, "BADVERSION"},
		{ErrNoChildrenForEphemerals, -108, "NOCHILDRENFOREPHEMERALS"},
		{ErrNodeExists, -110, "NODEEXISTS"}, {ErrNotEmpty, -111, "NOTEMPTY"},
		{ErrSessionExpired, -112, "SESSIONEXPIRED"}, {ErrInvalidCallback, -113, "INVALIDCALLBACK"},
		{ErrInvalidACL, -114, "INVALIDACL"}, {ErrAuthFailed, -115, "AUTHFAILED"},
		{ErrSessionMoved, -118, "SESSIONMOVED"}, {ErrNotReadOnly, -119, "NOTREADONLY"},
		{ErrEphemeralOnLocalSession, -120, "EPHEMERALONLOCALSESSION"},
		{ErrNoWatcher, -121, "NOWATCHER"}, {ErrRequestTimeout, -122, "REQUESTTIMEOUT"},
		{ErrReconfigDisabled, -123, "RECONFIGDISABLED"},
		{ErrSessionClosedRequireSASLAuth, -124, "SESSIONCLOSEDREQUIRESASLAUTH"},
		{ErrQuotaExceeded, -125, "QUOTAEXCEEDED"}, {ErrThrottledOp, -127, "THROTTLEDOP"},
	}
	if len(cases) != len(errInfos) {
		t.Errorf("%d codes tested, %d defined", len(cases), len(errInfos))
	}
	for _, c := range cases {
		if int32(c.e) != c.code || c.e.Name() != c.name {
			t.Errorf("%d: got (%d, %s), want (%d, %s)", c.code, int32(c.e), c.e.Name(), c.code, c.name)
		}
		if back, ok := ErrByName(c.name); !ok || back != c.e {
			t.Errorf("ErrByName(%s) = %v, %v", c.name, back, ok)
		}
	}
	if got := ErrNoNode.Error(); got != "NONODE: node does not exist" {
		t.Errorf("ErrNoNode.Error() = %q", got)
	}
	if got := Err(-999).Name(); got != "UNKNOWN(-999)" {
		t.Errorf("unknown name %q", got)
	}
	var err error = ErrNodeExists
	if !errors.Is(err, ErrNodeExists) || errors.Is(err, ErrNoNode) {
		t.Error("Err does not compare as an error")
	}
	if !errors.Is(ValidatePath("bad"), ErrBadArguments) {
		t.Error("ValidatePath error does not wrap BADARGUMENTS")
	}
}

func TestOpTypeNames(t *testing.T) {
	cases := map[OpType]string{
		0: "notification", 1: "create", 2: "delete", 3: "exists", 4: "getData", 5: "setData",
		6: "getACL", 7: "setACL", 8: "getChildren", 9: "sync", 11: "ping", 12: "getChildren2",
		13: "check", 14: "multi", 15: "create2", 16: "reconfig", 17: "checkWatches",
		18: "removeWatches", 19: "createContainer", 20: "deleteContainer", 21: "createTTL",
		22: "multiRead", 100: "auth", 101: "setWatches", 102: "sasl", 103: "getEphemerals",
		104: "getAllChildrenNumber", 105: "setWatches2", 106: "addWatch", 107: "whoAmI",
		-10: "createSession", -11: "closeSession", -1: "error",
	}
	for op, name := range cases {
		if op.String() != name {
			t.Errorf("%d: %q, want %q", int32(op), op.String(), name)
		}
	}
	if OpCreate2 != 15 || OpCreateContainer != 19 || OpCreateTTL != 21 || OpCloseSession != -11 {
		t.Error("opcode values")
	}
	if OpType(10).String() != "op(10)" {
		t.Error(OpType(10).String())
	}
}

func TestCreateModes(t *testing.T) {
	cases := []struct {
		m                          CreateMode
		eph, seq, container, isTTL bool
		name                       string
	}{
		{Persistent, false, false, false, false, "PERSISTENT"},
		{Ephemeral, true, false, false, false, "EPHEMERAL"},
		{PersistentSequential, false, true, false, false, "PERSISTENT_SEQUENTIAL"},
		{EphemeralSequential, true, true, false, false, "EPHEMERAL_SEQUENTIAL"},
		{Container, false, false, true, false, "CONTAINER"},
		{PersistentWithTTL, false, false, false, true, "PERSISTENT_WITH_TTL"},
		{PersistentSequentialWithTTL, false, true, false, true, "PERSISTENT_SEQUENTIAL_WITH_TTL"},
	}
	for i, c := range cases {
		if int(c.m) != i {
			t.Errorf("%s = %d, want %d", c.name, c.m, i)
		}
		if c.m.IsEphemeral() != c.eph || c.m.IsSequential() != c.seq || c.m.IsContainer() != c.container ||
			c.m.IsTTL() != c.isTTL || c.m.String() != c.name {
			t.Errorf("%s: predicates or name wrong", c.name)
		}
	}
}

func TestEventTypes(t *testing.T) {
	cases := map[EventType]string{-1: "None", 1: "NodeCreated", 2: "NodeDeleted",
		3: "NodeDataChanged", 4: "NodeChildrenChanged", 5: "DataWatchRemoved",
		6: "ChildWatchRemoved", 7: "PersistentWatchRemoved"}
	for e, name := range cases {
		if e.String() != name {
			t.Errorf("%d: %q", int32(e), e.String())
		}
	}
}

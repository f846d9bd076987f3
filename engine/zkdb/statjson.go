package zkdb

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// statJSON is Stat as JSON: ephemeralOwner, a 64-bit session id, crosses as a "0x…" hex
// string (JavaScript numbers hold 53 bits).
type statJSON struct {
	statPlain
	EphemeralOwner string `json:"ephemeralOwner"`
}

type statPlain Stat

// MarshalJSON writes the Stat with ephemeralOwner in hex.
func (s Stat) MarshalJSON() ([]byte, error) {
	return json.Marshal(statJSON{statPlain(s), "0x" + strconv.FormatUint(uint64(s.EphemeralOwner), 16)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Stat) UnmarshalJSON(b []byte) error {
	var j statJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*s = Stat(j.statPlain)
	v, err := strconv.ParseUint(strings.TrimPrefix(j.EphemeralOwner, "0x"), 16, 64)
	if err != nil && j.EphemeralOwner != "" {
		return fmt.Errorf("ephemeralOwner %q: want 0x… hex", j.EphemeralOwner)
	}
	s.EphemeralOwner = int64(v)
	return nil
}

package cms

// The guides users can look up, cited by title in every message they read
// (code comments cite the seed documents).
const (
	// guide is seed 002.
	guide = "Cisco Meeting Server Certificate Guidelines 2.9"
	// lab is seed 003.
	lab = "the Cisco Meeting Server 3-node cluster certificate lab"
)

// cite names a section of the Meeting Server certificate guidelines.
func cite(section string) string { return guide + ", " + section }

package ui

import (
	"io"

	"github.com/schollz/progressbar/v3"
)

// Progress is a progress bar for long work (key generation, probing many
// endpoints). It draws only when its writer is a terminal; otherwise it is
// silent so logs and pipes stay clean. It is safe for concurrent use.
type Progress struct {
	bar *progressbar.ProgressBar
}

// NewProgress returns a bar counting to total, labelled with label.
func NewProgress(w io.Writer, total int, label string) *Progress {
	if !IsTerminal(w) || total <= 0 {
		return &Progress{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	return &Progress{bar: bar}
}

// Add advances the bar by n.
func (p *Progress) Add(n int) {
	if p.bar != nil {
		p.bar.Add(n)
	}
}

// Finish completes and clears the bar.
func (p *Progress) Finish() {
	if p.bar != nil {
		p.bar.Finish()
	}
}

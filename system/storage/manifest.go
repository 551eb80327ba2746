package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"path/filepath"
)

const (
	manifestName  = "MANIFEST"
	manifestMagic = "FLMANIF1"
	snapshotMagic = "FLSNAP01"
	// fileHeaderSize is magic (8), body length (8), body CRC32C (4).
	fileHeaderSize = 20
)

// manifest is the small, atomically replaced file that names the current
// snapshot and the first live segment, and holds the course-shaped state
// blob.
type manifest struct {
	// snapGen names the snapshot file snap-<snapGen>.snap; zero means no
	// snapshot.
	snapGen   uint64
	snapIndex int
	snapTerm  int
	snapSize  int64
	snapCRC   uint32
	// firstSeg is the oldest segment that must exist; older ones are
	// leftovers of a compaction and are deleted.
	firstSeg uint64
	// lastSeg is the newest segment started: it is recorded once the
	// segment is durable and before anything is written to it, so a lost
	// tail segment is detected.
	lastSeg uint64
	// state is the blob of SaveRaftState and SaveStateAndSnapshot.
	state []byte
}

// encode returns the manifest file's contents.
func (m *manifest) encode() []byte {
	body := make([]byte, 0, 60+len(m.state))
	body = binary.LittleEndian.AppendUint64(body, m.snapGen)
	body = binary.LittleEndian.AppendUint64(body, uint64(m.snapIndex))
	body = binary.LittleEndian.AppendUint64(body, uint64(m.snapTerm))
	body = binary.LittleEndian.AppendUint64(body, uint64(m.snapSize))
	body = binary.LittleEndian.AppendUint32(body, m.snapCRC)
	body = binary.LittleEndian.AppendUint64(body, m.firstSeg)
	body = binary.LittleEndian.AppendUint64(body, m.lastSeg)
	body = binary.LittleEndian.AppendUint64(body, uint64(len(m.state)))
	body = append(body, m.state...)
	return sealFile(manifestMagic, body)
}

// decodeManifest parses a manifest file's contents.
func decodeManifest(b []byte) (manifest, error) {
	body, err := openFile(manifestMagic, b)
	if err != nil {
		return manifest{}, fmt.Errorf("manifest: %w", err)
	}
	if len(body) < 52 {
		return manifest{}, fmt.Errorf("manifest body of %d bytes: %w", len(body), ErrCorrupt)
	}
	var m manifest
	m.snapGen = binary.LittleEndian.Uint64(body[0:8])
	m.snapIndex = int(binary.LittleEndian.Uint64(body[8:16]))
	m.snapTerm = int(binary.LittleEndian.Uint64(body[16:24]))
	m.snapSize = int64(binary.LittleEndian.Uint64(body[24:32]))
	m.snapCRC = binary.LittleEndian.Uint32(body[32:36])
	m.firstSeg = binary.LittleEndian.Uint64(body[36:44])
	m.lastSeg = binary.LittleEndian.Uint64(body[44:52])
	rest := body[52:]
	if len(rest) < 8 || binary.LittleEndian.Uint64(rest[0:8]) != uint64(len(rest)-8) {
		return manifest{}, fmt.Errorf("manifest state length mismatch: %w", ErrCorrupt)
	}
	if m.snapIndex < 0 || m.snapTerm < 0 || m.snapSize < 0 || (m.lastSeg != 0 && m.lastSeg < m.firstSeg) {
		return manifest{}, fmt.Errorf("manifest snapshot index %d term %d size %d: %w", m.snapIndex, m.snapTerm, m.snapSize, ErrCorrupt)
	}
	if len(rest) > 8 {
		m.state = rest[8:]
	}
	return m, nil
}

// sealFile frames body behind magic, its length and its checksum.
func sealFile(magic string, body []byte) []byte {
	out := make([]byte, 0, fileHeaderSize+len(body))
	out = append(out, magic...)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(body)))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(body, castagnoli))
	return append(out, body...)
}

// openFile checks the framing of sealFile and returns the body, aliasing b.
func openFile(magic string, b []byte) ([]byte, error) {
	if len(b) < fileHeaderSize || !bytes.Equal(b[:8], []byte(magic)) {
		return nil, fmt.Errorf("bad header: %w", ErrCorrupt)
	}
	n := binary.LittleEndian.Uint64(b[8:16])
	body := b[fileHeaderSize:]
	if n != uint64(len(body)) {
		return nil, fmt.Errorf("length %d, file holds %d: %w", n, len(body), ErrCorrupt)
	}
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(b[16:20]) {
		return nil, fmt.Errorf("checksum mismatch: %w", ErrCorrupt)
	}
	return body, nil
}

// snapshotName returns the file name of snapshot generation gen.
func snapshotName(gen uint64) string {
	return fmt.Sprintf("snap-%016x.snap", gen)
}

// readManifest reads dir's manifest; ok is false if there is none.
func readManifest(dir string) (m manifest, ok bool, err error) {
	b, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return manifest{}, false, nil
	}
	if err != nil {
		return manifest{}, false, fmt.Errorf("storage: read manifest: %w", err)
	}
	m, err = decodeManifest(b)
	if err != nil {
		return manifest{}, false, fmt.Errorf("storage: %w", err)
	}
	return m, true, nil
}

// readSnapshot reads the snapshot m names and checks it against m.
func readSnapshot(dir string, m manifest) ([]byte, error) {
	if m.snapGen == 0 {
		return nil, nil
	}
	name := snapshotName(m.snapGen)
	b, err := os.ReadFile(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("storage: snapshot %s named by the manifest is missing: %w", name, ErrCorrupt)
	}
	if err != nil {
		return nil, fmt.Errorf("storage: read snapshot: %w", err)
	}
	body, err := openFile(snapshotMagic, b)
	if err != nil {
		return nil, fmt.Errorf("storage: snapshot %s: %w", name, err)
	}
	if int64(len(body)) != m.snapSize || crc32.Checksum(body, castagnoli) != m.snapCRC {
		return nil, fmt.Errorf("storage: snapshot %s does not match the manifest: %w", name, ErrCorrupt)
	}
	return body, nil
}

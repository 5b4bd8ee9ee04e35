package dataset

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ReadIDX reads an IDX file of unsigned bytes (LeCun's format of the
// MNIST files: two zero bytes, the type 0x08, the number of dimensions,
// each dimension a big-endian uint32, then the bytes in row-major order),
// gzip-compressed or not, and returns its dimensions and data. It checks
// everything: the magic, that there are wantDims dimensions, none zero,
// holding at most maxBytes bytes, that the data are all there and that
// nothing follows them.
func ReadIDX(r io.Reader, wantDims int, maxBytes int64) (dims []int, data []byte, err error) {
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, fmt.Errorf("gzip: %w", err)
		}
		defer zr.Close()
		zr.Multistream(false)
		br = bufio.NewReader(zr)
	}
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return nil, nil, fmt.Errorf("IDX header: %w", short(err))
	}
	if magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 {
		return nil, nil, fmt.Errorf("not an IDX file of unsigned bytes (magic % x, want 00 00 08 %02x)", magic, wantDims)
	}
	if int(magic[3]) != wantDims {
		return nil, nil, fmt.Errorf("IDX file of %d dimensions, want %d", magic[3], wantDims)
	}
	n := int64(1)
	for range wantDims {
		var d uint32
		if err := binary.Read(br, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("IDX dimensions: %w", short(err))
		}
		if d == 0 {
			return nil, nil, fmt.Errorf("IDX dimension of size 0")
		}
		n *= int64(d)
		if n > maxBytes {
			return nil, nil, fmt.Errorf("IDX data of more than %d bytes", maxBytes)
		}
		dims = append(dims, int(d))
	}
	data = make([]byte, n)
	if _, err := io.ReadFull(br, data); err != nil {
		return nil, nil, fmt.Errorf("IDX data: %w (want %d bytes)", short(err), n)
	}
	if _, err := br.ReadByte(); err == nil {
		return nil, nil, fmt.Errorf("IDX file longer than its %d bytes of data", n)
	} else if err != io.EOF {
		return nil, nil, fmt.Errorf("IDX file: %w", err)
	}
	return dims, data, nil
}

// short names a truncated read as such.
func short(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("truncated")
	}
	return err
}

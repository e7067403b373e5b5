package io.pgdr.activities.pitr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;

/**
 * Who owns the files pgdr writes in a data volume: PostgreSQL refuses a data directory it does not
 * own. A process running as root (the worker in the lab, a volume pod for an image that starts as
 * root) gives every file the owner of the volume's directory; any other process writes as itself,
 * the database's own user (a volume pod runs as the database pod's user), and changes no owner,
 * which only root may. Files get mode 600 and directories 700, as initdb leaves them.
 */
final class VolumeOwner {

  private final UserPrincipal user;
  private final GroupPrincipal group;

  private VolumeOwner(UserPrincipal user, GroupPrincipal group) {
    this.user = user;
    this.group = group;
  }

  static VolumeOwner of(Path directory) throws IOException {
    return of(directory, RUNS_AS_ROOT);
  }

  /** @param root whether this process runs as root; else the files keep the owner they are created with */
  static VolumeOwner of(Path directory, boolean root) throws IOException {
    if (!root) {
      return new VolumeOwner(null, null);
    }
    PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class);
    return new VolumeOwner(attributes.owner(), attributes.group());
  }

  private static final boolean RUNS_AS_ROOT = new com.sun.security.auth.module.UnixSystem().getUid() == 0;

  void give(Path path) throws IOException {
    boolean directory = Files.isDirectory(path);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
    if (user == null) {
      return;
    }
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    PosixFileAttributes now = view.readAttributes();
    if (!now.owner().equals(user)) {
      view.setOwner(user);
    }
    if (!now.group().equals(group)) {
      view.setGroup(group);
    }
  }

  /** Creates the directories up to {@code path} that are missing, each given to the owner. */
  void createDirectories(Path root, Path path) throws IOException {
    if (Files.isDirectory(path)) {
      return;
    }
    if (!path.getParent().equals(root)) {
      createDirectories(root, path.getParent());
    }
    Files.createDirectory(path);
    give(path);
  }
}

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
 * The owner of a data volume's directory, given to every file pgdr writes there: PostgreSQL refuses
 * a data directory it does not own, and the worker may run as another user (root in the lab). Files
 * get mode 600 and directories 700, as initdb leaves them.
 */
final class VolumeOwner {

  private final UserPrincipal user;
  private final GroupPrincipal group;

  private VolumeOwner(UserPrincipal user, GroupPrincipal group) {
    this.user = user;
    this.group = group;
  }

  static VolumeOwner of(Path directory) throws IOException {
    PosixFileAttributes attributes = Files.readAttributes(directory, PosixFileAttributes.class);
    return new VolumeOwner(attributes.owner(), attributes.group());
  }

  void give(Path path) throws IOException {
    boolean directory = Files.isDirectory(path);
    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(directory ? "rwx------" : "rw-------"));
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

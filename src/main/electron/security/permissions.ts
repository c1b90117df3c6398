import type { Session } from 'electron'

/** Deny every permission (camera, notifications, geolocation…): the studio needs none. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

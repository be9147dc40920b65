/** Error codes of the time-stamping module (stable: clients depend on them). */
export enum TsaErrorCode {
  /** POST /tsa with a Content-Type other than application/timestamp-query. */
  UNSUPPORTED_MEDIA_TYPE = 'TSA_UNSUPPORTED_MEDIA_TYPE',
  /** The TimeStampReq is larger than TSA_MAX_REQUEST_BYTES. */
  REQUEST_TOO_LARGE = 'TSA_REQUEST_TOO_LARGE',
  /** The TSA has no usable key/certificate yet (first start failed, CA unavailable). */
  NOT_READY = 'TSA_NOT_READY',
  /** Rotation asked for while another rotation was running. */
  ROTATION_IN_PROGRESS = 'TSA_ROTATION_IN_PROGRESS',
  /** The request body could not be read. */
  BAD_REQUEST_BODY = 'TSA_BAD_REQUEST_BODY',
  /** A configured trust-anchor or client-certificate file cannot be read. */
  BAD_CONFIGURATION = 'TSA_BAD_CONFIGURATION',
}

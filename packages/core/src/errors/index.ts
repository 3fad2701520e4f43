export { MmvpError, listChoices } from './mmvp-error';
export {
  InvalidArgumentError,
  ShapeMismatchError,
  FileFormatError,
  InvalidConfigError,
  ModelLoadError,
  NoSuchComponentError,
  NumericError,
  DatasetError,
} from './subclasses';

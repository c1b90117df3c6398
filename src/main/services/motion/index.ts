export { MotionService, MAX_MAGNIFY_FRAMES, type FrameSource, type FlowRequest, type MagnifyRequest } from './motion-service'
export { registerMotionRoutes } from './routes'

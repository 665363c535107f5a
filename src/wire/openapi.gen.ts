/* Generated from server-proxy/openapi.json by tools/wire/generate.mjs (npm run wire). Do not edit. */

export interface paths {
    "/api/v1/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The OpenAPI document of this API */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Service, user, configured backends and the local capacity */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            version: string;
                            user: string;
                            /**
                             * @description the default backend for jobs
                             * @enum {string}
                             */
                            backend: "local" | "kubernetes";
                            /** @description configured backends, the default first */
                            backends: {
                                /** @enum {string} */
                                name: "local" | "kubernetes";
                                /** @description kubernetes: the API server URL */
                                server?: string;
                                /** @description kubernetes: the caller's namespace */
                                namespace?: string;
                                /** @description kubernetes: images a job may choose by name in masterConfig.imageUri */
                                images?: {
                                    name: string;
                                    image: string;
                                }[];
                                /** @description kubernetes: whether other image references may be typed in */
                                allowAnyImage?: boolean;
                            }[];
                            rootDir: string;
                            capacity: {
                                cpus: number;
                                memoryBytes: number;
                                gpus: {
                                    index: number;
                                    name: string;
                                    memoryBytes: number;
                                }[];
                            };
                            supportsDistributed: boolean;
                            /** @description this replica among the replicas of one database */
                            replica: {
                                /** @description whether this replica runs the controllers (schedulers, HPO experiments, deployments) */
                                leader: boolean;
                                /**
                                 * @description single: one process on SQLite, always leader; advisory-lock: PostgreSQL; lease: a Kubernetes Lease
                                 * @enum {string}
                                 */
                                election: "single" | "advisory-lock" | "lease";
                            };
                            scaleTiers: {
                                [key: string]: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpu: number;
                                };
                            };
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's jobs (an admin's: anyone's), newest first, optionally filtered by text, notebook, label and state */
        get: {
            parameters: {
                query?: {
                    state?: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                    /** @description text in the job's id or notebook path (case-insensitive) */
                    q?: string;
                    /** @description only runs of this notebook (its path relative to the root directory) */
                    notebook?: string;
                    /** @description `key` (any value) or `key=value`; repeat for several, all must match */
                    label?: string[];
                    pageSize?: number;
                    pageToken?: string;
                    /** @description whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobs: {
                                jobId: string;
                                owner: string;
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                createTime: string;
                                startTime: string | null;
                                endTime: string | null;
                                errorMessage: string;
                                labels: {
                                    [key: string]: string;
                                };
                                trainingInput: {
                                    /** @enum {string} */
                                    scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                    masterType?: string;
                                    masterConfig?: {
                                        imageUri?: string;
                                        resources?: {
                                            cpu?: number;
                                            memoryGb?: number;
                                        };
                                        acceleratorConfig?: {
                                            count?: number;
                                            type?: string;
                                        };
                                    };
                                    workerCount?: number;
                                    workerType?: string;
                                    workerConfig?: {
                                        imageUri?: string;
                                        resources?: {
                                            cpu?: number;
                                            memoryGb?: number;
                                        };
                                        acceleratorConfig?: {
                                            count?: number;
                                            type?: string;
                                        };
                                    };
                                    parameterServerCount?: number;
                                    parameterServerType?: string;
                                    parameterServerConfig?: {
                                        imageUri?: string;
                                        resources?: {
                                            cpu?: number;
                                            memoryGb?: number;
                                        };
                                        acceleratorConfig?: {
                                            count?: number;
                                            type?: string;
                                        };
                                    };
                                    /** @enum {string} */
                                    priority?: "high" | "middle" | "low";
                                    scheduling?: {
                                        /** @description duration such as "3600s" */
                                        maxRunningTime?: string;
                                        /** @description duration such as "3600s" */
                                        maxWaitTime?: string;
                                    };
                                    args?: string[];
                                    pythonModule?: string;
                                    packageUris?: string[];
                                    jobDir?: string;
                                    region?: string;
                                    runtimeVersion?: string;
                                    pythonVersion?: string;
                                    notebook?: {
                                        /** @description notebook path relative to the root directory */
                                        path: string;
                                        /** @description papermill parameters */
                                        parameters?: {
                                            [key: string]: unknown;
                                        };
                                        /** @description also snapshot the notebook's folder */
                                        includeFolder?: boolean;
                                    };
                                    hyperparameters?: {
                                        /** @enum {string} */
                                        goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                        hyperparameterMetricTag?: string;
                                        /**
                                         * @description ours: the last reported value or the best one
                                         * @enum {string}
                                         */
                                        metricSelection?: "LAST" | "BEST";
                                        maxTrials?: number;
                                        maxParallelTrials?: number;
                                        maxFailedTrials?: number;
                                        enableTrialEarlyStopping?: boolean;
                                        earlyStopping?: {
                                            /** @enum {string} */
                                            kind?: "median" | "asha";
                                            /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                            minStep?: number;
                                            /** @description median: finished trials needed first (3) */
                                            minCompletedTrials?: number;
                                            /** @description asha: keep the top 1/reductionFactor (3) */
                                            reductionFactor?: number;
                                        };
                                        resumePreviousJobId?: string;
                                        /** @enum {string} */
                                        algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                        params: {
                                            parameterName: string;
                                            /** @enum {string} */
                                            type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                            minValue?: number;
                                            maxValue?: number;
                                            categoricalValues?: string[];
                                            discreteValues?: number[];
                                            /** @enum {string} */
                                            scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                        }[];
                                    };
                                    /**
                                     * @description where the job runs; the service default when absent
                                     * @enum {string}
                                     */
                                    backend?: "local" | "kubernetes";
                                    /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                    podTemplate?: {
                                        nodeSelector?: {
                                            [key: string]: string;
                                        };
                                        tolerations?: {
                                            key?: string;
                                            operator?: "Exists" | "Equal";
                                            value?: string;
                                            effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                            tolerationSeconds?: number;
                                        }[];
                                        volumes?: {
                                            name: string;
                                            secret?: {
                                                secretName: string;
                                                items?: {
                                                    key: string;
                                                    path: string;
                                                }[];
                                                optional?: boolean;
                                            };
                                            configMap?: {
                                                name: string;
                                                items?: {
                                                    key: string;
                                                    path: string;
                                                }[];
                                                optional?: boolean;
                                            };
                                            persistentVolumeClaim?: {
                                                claimName: string;
                                                readOnly?: boolean;
                                            };
                                            emptyDir?: {
                                                medium?: "" | "Memory";
                                                sizeLimit?: string;
                                            };
                                        }[];
                                        /** @description mounts of the trainer container */
                                        volumeMounts?: {
                                            name: string;
                                            mountPath: string;
                                            subPath?: string;
                                            readOnly?: boolean;
                                        }[];
                                        env?: {
                                            name: string;
                                            value?: string;
                                            valueFrom?: {
                                                secretKeyRef: {
                                                    name: string;
                                                    key: string;
                                                    optional?: boolean;
                                                };
                                            };
                                        }[];
                                        envFrom?: {
                                            secretRef: {
                                                name: string;
                                            };
                                        }[];
                                        serviceAccountName?: string;
                                        imagePullSecrets?: {
                                            name: string;
                                        }[];
                                        /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                        hostNetwork?: boolean;
                                    };
                                    /** @description at most 100 variables */
                                    env?: {
                                        name: string;
                                        /** @description a plain value (shown back as given) */
                                        value?: string;
                                        /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                        secretKeyRef?: {
                                            name: string;
                                            key: string;
                                        };
                                    }[];
                                    /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                    kernelName?: string;
                                    /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                    kernelFallback?: string;
                                };
                                trainingOutput: {
                                    completedCells: number;
                                    totalCells: number;
                                    outputNotebook?: string;
                                    outputHtml?: string;
                                    latestMetrics: {
                                        [key: string]: number;
                                    };
                                    exitCode?: number | null;
                                    resources: {
                                        cpu: number;
                                        memoryBytes: number;
                                        gpus: number[];
                                    };
                                    /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                    models?: {
                                        name: string;
                                        /** @description saved model folder, relative to rootDir */
                                        path: string;
                                    }[];
                                    /** @description the kernelspec the notebook ran on */
                                    kernel?: {
                                        name: string;
                                        /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                        requested?: string;
                                    };
                                    /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                    warnings?: string[];
                                    /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                    queueReason?: string;
                                    isHyperparameterTuningJob?: boolean;
                                    hyperparameterMetricTag?: string;
                                    completedTrialCount?: number;
                                    trialCounts?: {
                                        [key: string]: number;
                                    };
                                    bestTrial?: {
                                        jobId: string;
                                        /** @description "1", "2", ... in suggestion order */
                                        trialId: string;
                                        /** @enum {string} */
                                        state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                        hyperparameters: {
                                            [key: string]: number | string;
                                        };
                                        finalMetric: {
                                            trainingStep: number;
                                            objectiveValue: number;
                                        } | null;
                                        /** @description intermediate values of the metric tag */
                                        allMetrics: {
                                            trainingStep: number;
                                            objectiveValue: number;
                                        }[];
                                        isTrialStoppedEarly: boolean;
                                        createTime: string;
                                        startTime: string | null;
                                        endTime: string | null;
                                        errorMessage: string;
                                        /** @description relative to rootDir, once written */
                                        outputNotebook?: string;
                                    } | null;
                                };
                                stateHistory: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    time: string;
                                    reason: string;
                                }[];
                                webhook?: {
                                    /** @description the webhook URL's origin (scheme, host, port) */
                                    target: string;
                                    /** @description every attempt, oldest first */
                                    deliveries: {
                                        /** @enum {string} */
                                        state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                        attempt: number;
                                        time: string;
                                        delivered: boolean;
                                        /** @description the receiver's HTTP status; null when none answered */
                                        status: number | null;
                                        error?: string;
                                    }[];
                                };
                            }[];
                            nextPageToken?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Submit a notebook or Python module as a training job */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        jobId?: string;
                        trainingInput: {
                            /** @enum {string} */
                            scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                            masterType?: string;
                            masterConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            workerCount?: number;
                            workerType?: string;
                            workerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            parameterServerCount?: number;
                            parameterServerType?: string;
                            parameterServerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            /** @enum {string} */
                            priority?: "high" | "middle" | "low";
                            scheduling?: {
                                /** @description duration such as "3600s" */
                                maxRunningTime?: string;
                                /** @description duration such as "3600s" */
                                maxWaitTime?: string;
                            };
                            args?: string[];
                            pythonModule?: string;
                            packageUris?: string[];
                            jobDir?: string;
                            region?: string;
                            runtimeVersion?: string;
                            pythonVersion?: string;
                            notebook?: {
                                /** @description notebook path relative to the root directory */
                                path: string;
                                /** @description papermill parameters */
                                parameters?: {
                                    [key: string]: unknown;
                                };
                                /** @description also snapshot the notebook's folder */
                                includeFolder?: boolean;
                            };
                            hyperparameters?: {
                                /** @enum {string} */
                                goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                hyperparameterMetricTag?: string;
                                /**
                                 * @description ours: the last reported value or the best one
                                 * @enum {string}
                                 */
                                metricSelection?: "LAST" | "BEST";
                                maxTrials?: number;
                                maxParallelTrials?: number;
                                maxFailedTrials?: number;
                                enableTrialEarlyStopping?: boolean;
                                earlyStopping?: {
                                    /** @enum {string} */
                                    kind?: "median" | "asha";
                                    /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                    minStep?: number;
                                    /** @description median: finished trials needed first (3) */
                                    minCompletedTrials?: number;
                                    /** @description asha: keep the top 1/reductionFactor (3) */
                                    reductionFactor?: number;
                                };
                                resumePreviousJobId?: string;
                                /** @enum {string} */
                                algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                params: {
                                    parameterName: string;
                                    /** @enum {string} */
                                    type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                    minValue?: number;
                                    maxValue?: number;
                                    categoricalValues?: string[];
                                    discreteValues?: number[];
                                    /** @enum {string} */
                                    scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                }[];
                            };
                            /**
                             * @description where the job runs; the service default when absent
                             * @enum {string}
                             */
                            backend?: "local" | "kubernetes";
                            /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                            podTemplate?: {
                                nodeSelector?: {
                                    [key: string]: string;
                                };
                                tolerations?: {
                                    key?: string;
                                    operator?: "Exists" | "Equal";
                                    value?: string;
                                    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                    tolerationSeconds?: number;
                                }[];
                                volumes?: {
                                    name: string;
                                    secret?: {
                                        secretName: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    configMap?: {
                                        name: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    persistentVolumeClaim?: {
                                        claimName: string;
                                        readOnly?: boolean;
                                    };
                                    emptyDir?: {
                                        medium?: "" | "Memory";
                                        sizeLimit?: string;
                                    };
                                }[];
                                /** @description mounts of the trainer container */
                                volumeMounts?: {
                                    name: string;
                                    mountPath: string;
                                    subPath?: string;
                                    readOnly?: boolean;
                                }[];
                                env?: {
                                    name: string;
                                    value?: string;
                                    valueFrom?: {
                                        secretKeyRef: {
                                            name: string;
                                            key: string;
                                            optional?: boolean;
                                        };
                                    };
                                }[];
                                envFrom?: {
                                    secretRef: {
                                        name: string;
                                    };
                                }[];
                                serviceAccountName?: string;
                                imagePullSecrets?: {
                                    name: string;
                                }[];
                                /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                hostNetwork?: boolean;
                            };
                            /** @description at most 100 variables */
                            env?: {
                                name: string;
                                /** @description a plain value (shown back as given) */
                                value?: string;
                                /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                secretKeyRef?: {
                                    name: string;
                                    key: string;
                                };
                            }[];
                            /** @description kernelspec to run the notebook on; the notebook's own when absent */
                            kernelName?: string;
                            /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                            kernelFallback?: string;
                        };
                        /** @description at most 64 labels */
                        labels?: {
                            [key: string]: string;
                        };
                        webhook?: {
                            /** @description an http(s) URL; POSTed `{text, laketahoe: {jobId, state, errorMessage, endTime}}` when the job ends. Never shown back: answers give its origin */
                            url: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One job */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /**
         * Delete a job and everything it left
         * @description Removes the job with its outputs, logs, metrics and trials; a job still running is cancelled first. A job a registered model version was made from (or whose folder holds its files) is kept: 409 naming the version. 409 too when a cancelled job does not end in time.
         */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /**
         * Replace a job's labels
         * @description Labels may change in any state, as at submit (same limits). Only the owner changes them.
         */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description at most 64 labels */
                        labels: {
                            [key: string]: string;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/cancel": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Cancel a job (CANCELLED when queued, CANCELLING while it runs) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Log lines of a job; pass nextSeq as `after` to continue */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    limit?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            lines: {
                                seq: number;
                                time: string;
                                /** @enum {string} */
                                stream: "stdout" | "stderr" | "system";
                                text: string;
                            }[];
                            nextSeq: number;
                            /** @description oldest kept line; older lines were dropped (the log is bounded) */
                            firstSeq: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/logs/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** SSE: `log` events, then `end` with the job once it has ended */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Metric values a job reported, in step order, a page at a time; `maxPoints` thins each metric for a chart */
        get: {
            parameters: {
                query?: {
                    /** @description only this metric */
                    name?: string;
                    pageSize?: number;
                    pageToken?: string;
                    /** @description at most this many evenly spaced values of each metric, its first and last included */
                    maxPoints?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            metrics: {
                                step: number;
                                name: string;
                                value: number;
                                time: string;
                            }[];
                            /** @description more values follow; pass as pageToken */
                            nextPageToken?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/outputs/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An output file of the job
         * @description Answers the file itself (application/x-ipynb+json or text/html, sandboxed: `Content-Security-Policy: sandbox allow-scripts`, `X-Content-Type-Options: nosniff`); errors as elsewhere.
         */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    name: "output.ipynb" | "output.html";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop an HPO job without cancelling it: no new trials; it succeeds once running trials have ended */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Trials of an HPO job, in trial order */
        get: {
            parameters: {
                query?: {
                    state?: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                    pageSize?: number;
                    pageToken?: string;
                    /** @description Only these trials: comma-separated trial ids, at most 1000 (others are skipped, as with `state`). */
                    trialIds?: string;
                    /** @description `all`: every intermediate value in `allMetrics`; `last`: only the last one (how far a trial got, without its learning curve). */
                    metrics?: "all" | "last";
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            trials: {
                                jobId: string;
                                /** @description "1", "2", ... in suggestion order */
                                trialId: string;
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                hyperparameters: {
                                    [key: string]: number | string;
                                };
                                finalMetric: {
                                    trainingStep: number;
                                    objectiveValue: number;
                                } | null;
                                /** @description intermediate values of the metric tag */
                                allMetrics: {
                                    trainingStep: number;
                                    objectiveValue: number;
                                }[];
                                isTrialStoppedEarly: boolean;
                                createTime: string;
                                startTime: string | null;
                                endTime: string | null;
                                errorMessage: string;
                                /** @description relative to rootDir, once written */
                                outputNotebook?: string;
                            }[];
                            nextPageToken?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials/{trialId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One trial */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    trialId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            /** @description "1", "2", ... in suggestion order */
                            trialId: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            hyperparameters: {
                                [key: string]: number | string;
                            };
                            finalMetric: {
                                trainingStep: number;
                                objectiveValue: number;
                            } | null;
                            /** @description intermediate values of the metric tag */
                            allMetrics: {
                                trainingStep: number;
                                objectiveValue: number;
                            }[];
                            isTrialStoppedEarly: boolean;
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            /** @description relative to rootDir, once written */
                            outputNotebook?: string;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials/{trialId}/logs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Log lines of a trial; pass nextSeq as `after` to continue */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    limit?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    trialId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            lines: {
                                seq: number;
                                time: string;
                                /** @enum {string} */
                                stream: "stdout" | "stderr" | "system";
                                text: string;
                            }[];
                            nextSeq: number;
                            /** @description oldest kept line; older lines were dropped (the log is bounded) */
                            firstSeq: number;
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials/{trialId}/logs/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** SSE: `log` events of a trial, then `end` with the trial once it has ended */
        get: {
            parameters: {
                query?: {
                    after?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    trialId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials/{trialId}/outputs/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * An output file of a trial
         * @description Answers the file itself (application/x-ipynb+json or text/html, sandboxed: `Content-Security-Policy: sandbox allow-scripts`, `X-Content-Type-Options: nosniff`); errors as elsewhere.
         */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    trialId: string;
                    name: "output.ipynb" | "output.html";
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/rerun": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Submit a finished job again with the same trainingInput, labels and webhook
         * @description The new job is validated like a submission; 400 while the source has not ended.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description the new job's id; generated when absent */
                        jobId?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** SSE: `job`, `trial`, `metric` and `deleted` events for the caller's jobs, `deployment` and `alert` events for their deployments (not with `jobId`), `: ping` comments as heartbeat */
        get: {
            parameters: {
                query?: {
                    jobId?: string;
                    /** @description whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description text/event-stream */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": string;
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/batch-delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Delete several jobs; each answers for itself
         * @description Removes the job with its outputs, logs, metrics and trials; a job still running is cancelled first. A job a registered model version was made from (or whose folder holds its files) is kept: 409 naming the version. The jobs are deleted one after the other; one that cannot be deleted is reported in its result and the others go on.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        jobIds: string[];
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            results: components["schemas"]["DeleteOutcome"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Resource usage of a job
         * @description CPU, memory and (where the machine has nvidia-smi) GPU readings taken every few seconds while the run ran, with a summary: peak memory, CPU-seconds, GPU-hours and a hint when an ended run used under a quarter of the memory it asked for.
         */
        get: {
            parameters: {
                query?: {
                    /** @description at most this many evenly spaced samples */
                    maxPoints?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description false where the run cannot be measured (a simulated Kubernetes node has no resource metrics) */
                            available: boolean;
                            /** @description why usage is not available, or what limits it */
                            note?: string;
                            /** @description in time order, thinned evenly to maxPoints */
                            samples: {
                                /** @description when it was read (ISO 8601) */
                                time: string;
                                /** @description CPU cores in use on average since the previous sample */
                                cpuCores: number;
                                /** @description CPU time used so far by the whole process tree (or pod) */
                                cpuSeconds: number;
                                /** @description resident memory (locally) or working set (Kubernetes) of the process tree or pod */
                                memoryBytes: number;
                                /** @description GPUs the run holds */
                                gpuCount?: number;
                                /** @description mean utilization of the run's GPUs, percent */
                                gpuUtilization?: number;
                                /** @description memory used on the run's GPUs, summed */
                                gpuMemoryBytes?: number;
                            }[];
                            summary: {
                                /** @description samples stored for the run */
                                samples: number;
                                peakMemoryBytes: number;
                                cpuSeconds: number;
                                /** @description GPUs held times the time they were held, in hours */
                                gpuHours: number;
                                peakGpuMemoryBytes?: number;
                                /** @description percent */
                                meanGpuUtilization?: number;
                                /** @description memory the run was given (its request) */
                                requestedMemoryBytes?: number;
                                /** @description set when an ended run peaked below a quarter of its requested memory: "This job used at most X of its Y memory" */
                                hint?: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/trials/{trialId}/usage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Resource usage of a trial
         * @description CPU, memory and (where the machine has nvidia-smi) GPU readings taken every few seconds while the run ran, with a summary: peak memory, CPU-seconds, GPU-hours and a hint when an ended run used under a quarter of the memory it asked for.
         */
        get: {
            parameters: {
                query?: {
                    /** @description at most this many evenly spaced samples */
                    maxPoints?: number;
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    jobId: string;
                    trialId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description false where the run cannot be measured (a simulated Kubernetes node has no resource metrics) */
                            available: boolean;
                            /** @description why usage is not available, or what limits it */
                            note?: string;
                            /** @description in time order, thinned evenly to maxPoints */
                            samples: {
                                /** @description when it was read (ISO 8601) */
                                time: string;
                                /** @description CPU cores in use on average since the previous sample */
                                cpuCores: number;
                                /** @description CPU time used so far by the whole process tree (or pod) */
                                cpuSeconds: number;
                                /** @description resident memory (locally) or working set (Kubernetes) of the process tree or pod */
                                memoryBytes: number;
                                /** @description GPUs the run holds */
                                gpuCount?: number;
                                /** @description mean utilization of the run's GPUs, percent */
                                gpuUtilization?: number;
                                /** @description memory used on the run's GPUs, summed */
                                gpuMemoryBytes?: number;
                            }[];
                            summary: {
                                /** @description samples stored for the run */
                                samples: number;
                                peakMemoryBytes: number;
                                cpuSeconds: number;
                                /** @description GPUs held times the time they were held, in hours */
                                gpuHours: number;
                                peakGpuMemoryBytes?: number;
                                /** @description percent */
                                meanGpuUtilization?: number;
                                /** @description memory the run was given (its request) */
                                requestedMemoryBytes?: number;
                                /** @description set when an ended run peaked below a quarter of its requested memory: "This job used at most X of its Y memory" */
                                hint?: string;
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/kernels": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Kernelspecs installed where local jobs run (jupyter kernelspec list of the runner)
         * @description A notebook job runs on its notebook's kernelspec (or trainingInput.kernelName) when it is in this list; Kubernetes jobs run on the kernels of their image, which the service cannot list.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            /** @description empty when the local backend is not configured */
                            kernels: {
                                /** @description the kernelspec name (trainingInput.kernelName) */
                                name: string;
                                displayName: string;
                                language: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's definitions (an admin's: anyone's) with their next run times */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitions: {
                                definitionId: string;
                                owner: string;
                                createTime: string;
                                updateTime: string;
                                /** @description the saved trainingInput, as submitted */
                                trainingInput: unknown;
                                labels: {
                                    [key: string]: string;
                                };
                                webhook?: {
                                    /** @description the URL's origin */
                                    target: string;
                                };
                                schedule?: {
                                    /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                    cron: string;
                                    /**
                                     * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                     * @default UTC
                                     */
                                    timeZone: string;
                                };
                                paused: boolean;
                                /** @enum {string} */
                                missedRuns: "RUN_ONCE" | "SKIP";
                                retention?: {
                                    /** @description keep this many most recently finished runs */
                                    keepLastRuns?: number;
                                    /** @description delete runs finished more than this many days ago */
                                    deleteAfterDays?: number;
                                };
                                /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                                nextRunTimes: string[];
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /**
         * Save a job spec as a definition, optionally with a cron schedule
         * @description `trainingInput`, `labels` and `webhook` are checked as a submitted job's are (400 naming the field).
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        definitionId: string;
                        trainingInput: {
                            /** @enum {string} */
                            scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                            masterType?: string;
                            masterConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            workerCount?: number;
                            workerType?: string;
                            workerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            parameterServerCount?: number;
                            parameterServerType?: string;
                            parameterServerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            /** @enum {string} */
                            priority?: "high" | "middle" | "low";
                            scheduling?: {
                                /** @description duration such as "3600s" */
                                maxRunningTime?: string;
                                /** @description duration such as "3600s" */
                                maxWaitTime?: string;
                            };
                            args?: string[];
                            pythonModule?: string;
                            packageUris?: string[];
                            jobDir?: string;
                            region?: string;
                            runtimeVersion?: string;
                            pythonVersion?: string;
                            notebook?: {
                                /** @description notebook path relative to the root directory */
                                path: string;
                                /** @description papermill parameters */
                                parameters?: {
                                    [key: string]: unknown;
                                };
                                /** @description also snapshot the notebook's folder */
                                includeFolder?: boolean;
                            };
                            hyperparameters?: {
                                /** @enum {string} */
                                goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                hyperparameterMetricTag?: string;
                                /**
                                 * @description ours: the last reported value or the best one
                                 * @enum {string}
                                 */
                                metricSelection?: "LAST" | "BEST";
                                maxTrials?: number;
                                maxParallelTrials?: number;
                                maxFailedTrials?: number;
                                enableTrialEarlyStopping?: boolean;
                                earlyStopping?: {
                                    /** @enum {string} */
                                    kind?: "median" | "asha";
                                    /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                    minStep?: number;
                                    /** @description median: finished trials needed first (3) */
                                    minCompletedTrials?: number;
                                    /** @description asha: keep the top 1/reductionFactor (3) */
                                    reductionFactor?: number;
                                };
                                resumePreviousJobId?: string;
                                /** @enum {string} */
                                algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                params: {
                                    parameterName: string;
                                    /** @enum {string} */
                                    type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                    minValue?: number;
                                    maxValue?: number;
                                    categoricalValues?: string[];
                                    discreteValues?: number[];
                                    /** @enum {string} */
                                    scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                }[];
                            };
                            /**
                             * @description where the job runs; the service default when absent
                             * @enum {string}
                             */
                            backend?: "local" | "kubernetes";
                            /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                            podTemplate?: {
                                nodeSelector?: {
                                    [key: string]: string;
                                };
                                tolerations?: {
                                    key?: string;
                                    operator?: "Exists" | "Equal";
                                    value?: string;
                                    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                    tolerationSeconds?: number;
                                }[];
                                volumes?: {
                                    name: string;
                                    secret?: {
                                        secretName: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    configMap?: {
                                        name: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    persistentVolumeClaim?: {
                                        claimName: string;
                                        readOnly?: boolean;
                                    };
                                    emptyDir?: {
                                        medium?: "" | "Memory";
                                        sizeLimit?: string;
                                    };
                                }[];
                                /** @description mounts of the trainer container */
                                volumeMounts?: {
                                    name: string;
                                    mountPath: string;
                                    subPath?: string;
                                    readOnly?: boolean;
                                }[];
                                env?: {
                                    name: string;
                                    value?: string;
                                    valueFrom?: {
                                        secretKeyRef: {
                                            name: string;
                                            key: string;
                                            optional?: boolean;
                                        };
                                    };
                                }[];
                                envFrom?: {
                                    secretRef: {
                                        name: string;
                                    };
                                }[];
                                serviceAccountName?: string;
                                imagePullSecrets?: {
                                    name: string;
                                }[];
                                /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                hostNetwork?: boolean;
                            };
                            /** @description at most 100 variables */
                            env?: {
                                name: string;
                                /** @description a plain value (shown back as given) */
                                value?: string;
                                /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                secretKeyRef?: {
                                    name: string;
                                    key: string;
                                };
                            }[];
                            /** @description kernelspec to run the notebook on; the notebook's own when absent */
                            kernelName?: string;
                            /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                            kernelFallback?: string;
                        };
                        /** @description at most 60 labels, copied to each run */
                        labels?: {
                            [key: string]: string;
                        };
                        webhook?: {
                            /** @description an http(s) URL; POSTed `{text, laketahoe: {jobId, state, errorMessage, endTime}}` when the job ends. Never shown back: answers give its origin */
                            url: string;
                        };
                        schedule?: {
                            /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                            cron: string;
                            /**
                             * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                             * @default UTC
                             */
                            timeZone: string;
                        };
                        /**
                         * @description a paused definition is not run by its schedule
                         * @default false
                         */
                        paused?: boolean;
                        /**
                         * @description ticks missed while the service was down: RUN_ONCE runs the latest of them once, SKIP records it as skipped
                         * @default RUN_ONCE
                         * @enum {string}
                         */
                        missedRuns?: "RUN_ONCE" | "SKIP";
                        retention?: {
                            /** @description keep this many most recently finished runs */
                            keepLastRuns?: number;
                            /** @description delete runs finished more than this many days ago */
                            deleteAfterDays?: number;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitionId: string;
                            owner: string;
                            createTime: string;
                            updateTime: string;
                            /** @description the saved trainingInput, as submitted */
                            trainingInput: unknown;
                            labels: {
                                [key: string]: string;
                            };
                            webhook?: {
                                /** @description the URL's origin */
                                target: string;
                            };
                            schedule?: {
                                /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                cron: string;
                                /**
                                 * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                 * @default UTC
                                 */
                                timeZone: string;
                            };
                            paused: boolean;
                            /** @enum {string} */
                            missedRuns: "RUN_ONCE" | "SKIP";
                            retention?: {
                                /** @description keep this many most recently finished runs */
                                keepLastRuns?: number;
                                /** @description delete runs finished more than this many days ago */
                                deleteAfterDays?: number;
                            };
                            /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions/{definitionId}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One definition */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitionId: string;
                            owner: string;
                            createTime: string;
                            updateTime: string;
                            /** @description the saved trainingInput, as submitted */
                            trainingInput: unknown;
                            labels: {
                                [key: string]: string;
                            };
                            webhook?: {
                                /** @description the URL's origin */
                                target: string;
                            };
                            schedule?: {
                                /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                cron: string;
                                /**
                                 * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                 * @default UTC
                                 */
                                timeZone: string;
                            };
                            paused: boolean;
                            /** @enum {string} */
                            missedRuns: "RUN_ONCE" | "SKIP";
                            retention?: {
                                /** @description keep this many most recently finished runs */
                                keepLastRuns?: number;
                                /** @description delete runs finished more than this many days ago */
                                deleteAfterDays?: number;
                            };
                            /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        /** Replace a definition (an unchanged schedule keeps its place) */
        put: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        trainingInput: {
                            /** @enum {string} */
                            scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                            masterType?: string;
                            masterConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            workerCount?: number;
                            workerType?: string;
                            workerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            parameterServerCount?: number;
                            parameterServerType?: string;
                            parameterServerConfig?: {
                                imageUri?: string;
                                resources?: {
                                    cpu?: number;
                                    memoryGb?: number;
                                };
                                acceleratorConfig?: {
                                    count?: number;
                                    type?: string;
                                };
                            };
                            /** @enum {string} */
                            priority?: "high" | "middle" | "low";
                            scheduling?: {
                                /** @description duration such as "3600s" */
                                maxRunningTime?: string;
                                /** @description duration such as "3600s" */
                                maxWaitTime?: string;
                            };
                            args?: string[];
                            pythonModule?: string;
                            packageUris?: string[];
                            jobDir?: string;
                            region?: string;
                            runtimeVersion?: string;
                            pythonVersion?: string;
                            notebook?: {
                                /** @description notebook path relative to the root directory */
                                path: string;
                                /** @description papermill parameters */
                                parameters?: {
                                    [key: string]: unknown;
                                };
                                /** @description also snapshot the notebook's folder */
                                includeFolder?: boolean;
                            };
                            hyperparameters?: {
                                /** @enum {string} */
                                goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                hyperparameterMetricTag?: string;
                                /**
                                 * @description ours: the last reported value or the best one
                                 * @enum {string}
                                 */
                                metricSelection?: "LAST" | "BEST";
                                maxTrials?: number;
                                maxParallelTrials?: number;
                                maxFailedTrials?: number;
                                enableTrialEarlyStopping?: boolean;
                                earlyStopping?: {
                                    /** @enum {string} */
                                    kind?: "median" | "asha";
                                    /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                    minStep?: number;
                                    /** @description median: finished trials needed first (3) */
                                    minCompletedTrials?: number;
                                    /** @description asha: keep the top 1/reductionFactor (3) */
                                    reductionFactor?: number;
                                };
                                resumePreviousJobId?: string;
                                /** @enum {string} */
                                algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                params: {
                                    parameterName: string;
                                    /** @enum {string} */
                                    type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                    minValue?: number;
                                    maxValue?: number;
                                    categoricalValues?: string[];
                                    discreteValues?: number[];
                                    /** @enum {string} */
                                    scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                }[];
                            };
                            /**
                             * @description where the job runs; the service default when absent
                             * @enum {string}
                             */
                            backend?: "local" | "kubernetes";
                            /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                            podTemplate?: {
                                nodeSelector?: {
                                    [key: string]: string;
                                };
                                tolerations?: {
                                    key?: string;
                                    operator?: "Exists" | "Equal";
                                    value?: string;
                                    effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                    tolerationSeconds?: number;
                                }[];
                                volumes?: {
                                    name: string;
                                    secret?: {
                                        secretName: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    configMap?: {
                                        name: string;
                                        items?: {
                                            key: string;
                                            path: string;
                                        }[];
                                        optional?: boolean;
                                    };
                                    persistentVolumeClaim?: {
                                        claimName: string;
                                        readOnly?: boolean;
                                    };
                                    emptyDir?: {
                                        medium?: "" | "Memory";
                                        sizeLimit?: string;
                                    };
                                }[];
                                /** @description mounts of the trainer container */
                                volumeMounts?: {
                                    name: string;
                                    mountPath: string;
                                    subPath?: string;
                                    readOnly?: boolean;
                                }[];
                                env?: {
                                    name: string;
                                    value?: string;
                                    valueFrom?: {
                                        secretKeyRef: {
                                            name: string;
                                            key: string;
                                            optional?: boolean;
                                        };
                                    };
                                }[];
                                envFrom?: {
                                    secretRef: {
                                        name: string;
                                    };
                                }[];
                                serviceAccountName?: string;
                                imagePullSecrets?: {
                                    name: string;
                                }[];
                                /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                hostNetwork?: boolean;
                            };
                            /** @description at most 100 variables */
                            env?: {
                                name: string;
                                /** @description a plain value (shown back as given) */
                                value?: string;
                                /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                secretKeyRef?: {
                                    name: string;
                                    key: string;
                                };
                            }[];
                            /** @description kernelspec to run the notebook on; the notebook's own when absent */
                            kernelName?: string;
                            /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                            kernelFallback?: string;
                        };
                        /** @description at most 60 labels, copied to each run */
                        labels?: {
                            [key: string]: string;
                        };
                        /** @description absent: keep the saved webhook; null: remove it */
                        webhook?: {
                            /** @description an http(s) URL; POSTed `{text, laketahoe: {jobId, state, errorMessage, endTime}}` when the job ends. Never shown back: answers give its origin */
                            url: string;
                        } | null;
                        schedule?: {
                            /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                            cron: string;
                            /**
                             * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                             * @default UTC
                             */
                            timeZone: string;
                        };
                        /**
                         * @description a paused definition is not run by its schedule
                         * @default false
                         */
                        paused?: boolean;
                        /**
                         * @description ticks missed while the service was down: RUN_ONCE runs the latest of them once, SKIP records it as skipped
                         * @default RUN_ONCE
                         * @enum {string}
                         */
                        missedRuns?: "RUN_ONCE" | "SKIP";
                        retention?: {
                            /** @description keep this many most recently finished runs */
                            keepLastRuns?: number;
                            /** @description delete runs finished more than this many days ago */
                            deleteAfterDays?: number;
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitionId: string;
                            owner: string;
                            createTime: string;
                            updateTime: string;
                            /** @description the saved trainingInput, as submitted */
                            trainingInput: unknown;
                            labels: {
                                [key: string]: string;
                            };
                            webhook?: {
                                /** @description the URL's origin */
                                target: string;
                            };
                            schedule?: {
                                /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                cron: string;
                                /**
                                 * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                 * @default UTC
                                 */
                                timeZone: string;
                            };
                            paused: boolean;
                            /** @enum {string} */
                            missedRuns: "RUN_ONCE" | "SKIP";
                            retention?: {
                                /** @description keep this many most recently finished runs */
                                keepLastRuns?: number;
                                /** @description delete runs finished more than this many days ago */
                                deleteAfterDays?: number;
                            };
                            /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        post?: never;
        /** Delete a definition and its run history; the jobs it ran stay */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description deleted */
                204: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content?: never;
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions/{definitionId}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause the schedule */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitionId: string;
                            owner: string;
                            createTime: string;
                            updateTime: string;
                            /** @description the saved trainingInput, as submitted */
                            trainingInput: unknown;
                            labels: {
                                [key: string]: string;
                            };
                            webhook?: {
                                /** @description the URL's origin */
                                target: string;
                            };
                            schedule?: {
                                /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                cron: string;
                                /**
                                 * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                 * @default UTC
                                 */
                                timeZone: string;
                            };
                            paused: boolean;
                            /** @enum {string} */
                            missedRuns: "RUN_ONCE" | "SKIP";
                            retention?: {
                                /** @description keep this many most recently finished runs */
                                keepLastRuns?: number;
                                /** @description delete runs finished more than this many days ago */
                                deleteAfterDays?: number;
                            };
                            /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions/{definitionId}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume the schedule from now (ticks while paused are not run) */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            definitionId: string;
                            owner: string;
                            createTime: string;
                            updateTime: string;
                            /** @description the saved trainingInput, as submitted */
                            trainingInput: unknown;
                            labels: {
                                [key: string]: string;
                            };
                            webhook?: {
                                /** @description the URL's origin */
                                target: string;
                            };
                            schedule?: {
                                /** @description five fields: minute hour day-of-month month day-of-week (e.g. "0 6 * * 1-5") */
                                cron: string;
                                /**
                                 * @description IANA time zone the fields are read in, e.g. "Europe/Berlin"
                                 * @default UTC
                                 */
                                timeZone: string;
                            };
                            paused: boolean;
                            /** @enum {string} */
                            missedRuns: "RUN_ONCE" | "SKIP";
                            retention?: {
                                /** @description keep this many most recently finished runs */
                                keepLastRuns?: number;
                                /** @description delete runs finished more than this many days ago */
                                deleteAfterDays?: number;
                            };
                            /** @description the next scheduled times (ISO, UTC); empty when paused or unscheduled */
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions/{definitionId}/run": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Submit a run of the definition now */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            jobId: string;
                            owner: string;
                            /** @enum {string} */
                            state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                            createTime: string;
                            startTime: string | null;
                            endTime: string | null;
                            errorMessage: string;
                            labels: {
                                [key: string]: string;
                            };
                            trainingInput: {
                                /** @enum {string} */
                                scaleTier?: "BASIC" | "BASIC_GPU" | "STANDARD_1" | "PREMIUM_1" | "CUSTOM";
                                masterType?: string;
                                masterConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                workerCount?: number;
                                workerType?: string;
                                workerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                parameterServerCount?: number;
                                parameterServerType?: string;
                                parameterServerConfig?: {
                                    imageUri?: string;
                                    resources?: {
                                        cpu?: number;
                                        memoryGb?: number;
                                    };
                                    acceleratorConfig?: {
                                        count?: number;
                                        type?: string;
                                    };
                                };
                                /** @enum {string} */
                                priority?: "high" | "middle" | "low";
                                scheduling?: {
                                    /** @description duration such as "3600s" */
                                    maxRunningTime?: string;
                                    /** @description duration such as "3600s" */
                                    maxWaitTime?: string;
                                };
                                args?: string[];
                                pythonModule?: string;
                                packageUris?: string[];
                                jobDir?: string;
                                region?: string;
                                runtimeVersion?: string;
                                pythonVersion?: string;
                                notebook?: {
                                    /** @description notebook path relative to the root directory */
                                    path: string;
                                    /** @description papermill parameters */
                                    parameters?: {
                                        [key: string]: unknown;
                                    };
                                    /** @description also snapshot the notebook's folder */
                                    includeFolder?: boolean;
                                };
                                hyperparameters?: {
                                    /** @enum {string} */
                                    goal?: "GOAL_TYPE_UNSPECIFIED" | "MAXIMIZE" | "MINIMIZE";
                                    hyperparameterMetricTag?: string;
                                    /**
                                     * @description ours: the last reported value or the best one
                                     * @enum {string}
                                     */
                                    metricSelection?: "LAST" | "BEST";
                                    maxTrials?: number;
                                    maxParallelTrials?: number;
                                    maxFailedTrials?: number;
                                    enableTrialEarlyStopping?: boolean;
                                    earlyStopping?: {
                                        /** @enum {string} */
                                        kind?: "median" | "asha";
                                        /** @description median: never stop before this step; asha: step of the first rung (1 when unset) */
                                        minStep?: number;
                                        /** @description median: finished trials needed first (3) */
                                        minCompletedTrials?: number;
                                        /** @description asha: keep the top 1/reductionFactor (3) */
                                        reductionFactor?: number;
                                    };
                                    resumePreviousJobId?: string;
                                    /** @enum {string} */
                                    algorithm?: "ALGORITHM_UNSPECIFIED" | "GRID_SEARCH" | "RANDOM_SEARCH";
                                    params: {
                                        parameterName: string;
                                        /** @enum {string} */
                                        type: "DOUBLE" | "INTEGER" | "CATEGORICAL" | "DISCRETE";
                                        minValue?: number;
                                        maxValue?: number;
                                        categoricalValues?: string[];
                                        discreteValues?: number[];
                                        /** @enum {string} */
                                        scaleType?: "NONE" | "UNIT_LINEAR_SCALE" | "UNIT_LOG_SCALE" | "UNIT_REVERSE_LOG_SCALE";
                                    }[];
                                };
                                /**
                                 * @description where the job runs; the service default when absent
                                 * @enum {string}
                                 */
                                backend?: "local" | "kubernetes";
                                /** @description pod settings of a Kubernetes run (tolerations, node selectors, volumes, Secrets, service account, host network) */
                                podTemplate?: {
                                    nodeSelector?: {
                                        [key: string]: string;
                                    };
                                    tolerations?: {
                                        key?: string;
                                        operator?: "Exists" | "Equal";
                                        value?: string;
                                        effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
                                        tolerationSeconds?: number;
                                    }[];
                                    volumes?: {
                                        name: string;
                                        secret?: {
                                            secretName: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        configMap?: {
                                            name: string;
                                            items?: {
                                                key: string;
                                                path: string;
                                            }[];
                                            optional?: boolean;
                                        };
                                        persistentVolumeClaim?: {
                                            claimName: string;
                                            readOnly?: boolean;
                                        };
                                        emptyDir?: {
                                            medium?: "" | "Memory";
                                            sizeLimit?: string;
                                        };
                                    }[];
                                    /** @description mounts of the trainer container */
                                    volumeMounts?: {
                                        name: string;
                                        mountPath: string;
                                        subPath?: string;
                                        readOnly?: boolean;
                                    }[];
                                    env?: {
                                        name: string;
                                        value?: string;
                                        valueFrom?: {
                                            secretKeyRef: {
                                                name: string;
                                                key: string;
                                                optional?: boolean;
                                            };
                                        };
                                    }[];
                                    envFrom?: {
                                        secretRef: {
                                            name: string;
                                        };
                                    }[];
                                    serviceAccountName?: string;
                                    imagePullSecrets?: {
                                        name: string;
                                    }[];
                                    /** @description pods share the node's network (for nodes whose pods have no network of their own) */
                                    hostNetwork?: boolean;
                                };
                                /** @description at most 100 variables */
                                env?: {
                                    name: string;
                                    /** @description a plain value (shown back as given) */
                                    value?: string;
                                    /** @description a Secret (Kubernetes) or an entry of your secrets file (local), by name and key; the value is never sent */
                                    secretKeyRef?: {
                                        name: string;
                                        key: string;
                                    };
                                }[];
                                /** @description kernelspec to run the notebook on; the notebook's own when absent */
                                kernelName?: string;
                                /** @description kernelspec used instead when the chosen one is not installed (recorded in trainingOutput.kernel) */
                                kernelFallback?: string;
                            };
                            trainingOutput: {
                                completedCells: number;
                                totalCells: number;
                                outputNotebook?: string;
                                outputHtml?: string;
                                latestMetrics: {
                                    [key: string]: number;
                                };
                                exitCode?: number | null;
                                resources: {
                                    cpu: number;
                                    memoryBytes: number;
                                    gpus: number[];
                                };
                                /** @description models the job saved (laketahoe.save_model); registered when the job succeeds */
                                models?: {
                                    name: string;
                                    /** @description saved model folder, relative to rootDir */
                                    path: string;
                                }[];
                                /** @description the kernelspec the notebook ran on */
                                kernel?: {
                                    name: string;
                                    /** @description the kernelspec asked for, when it was not installed and kernelFallback ran instead */
                                    requested?: string;
                                };
                                /** @description notes about what the job reported, such as a metric that was NaN or infinite */
                                warnings?: string[];
                                /** @description why a QUEUED job is still waiting (Kubernetes: the scheduler or the namespace quota) */
                                queueReason?: string;
                                isHyperparameterTuningJob?: boolean;
                                hyperparameterMetricTag?: string;
                                completedTrialCount?: number;
                                trialCounts?: {
                                    [key: string]: number;
                                };
                                bestTrial?: {
                                    jobId: string;
                                    /** @description "1", "2", ... in suggestion order */
                                    trialId: string;
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    hyperparameters: {
                                        [key: string]: number | string;
                                    };
                                    finalMetric: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    } | null;
                                    /** @description intermediate values of the metric tag */
                                    allMetrics: {
                                        trainingStep: number;
                                        objectiveValue: number;
                                    }[];
                                    isTrialStoppedEarly: boolean;
                                    createTime: string;
                                    startTime: string | null;
                                    endTime: string | null;
                                    errorMessage: string;
                                    /** @description relative to rootDir, once written */
                                    outputNotebook?: string;
                                } | null;
                            };
                            stateHistory: {
                                /** @enum {string} */
                                state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                time: string;
                                reason: string;
                            }[];
                            webhook?: {
                                /** @description the webhook URL's origin (scheme, host, port) */
                                target: string;
                                /** @description every attempt, oldest first */
                                deliveries: {
                                    /** @enum {string} */
                                    state: "QUEUED" | "PREPARING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLING" | "CANCELLED";
                                    attempt: number;
                                    time: string;
                                    delivered: boolean;
                                    /** @description the receiver's HTTP status; null when none answered */
                                    status: number | null;
                                    error?: string;
                                }[];
                            };
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/definitions/{definitionId}/runs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Run history: scheduled, missed, skipped and run-now runs with their jobs, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                    pageSize?: number;
                };
                header?: never;
                path: {
                    definitionId: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            runs: {
                                /** @description the tick (ISO, UTC), or the time of a run-now */
                                scheduledTime: string;
                                /** @enum {string} */
                                trigger: "SCHEDULE" | "MISSED" | "MANUAL";
                                /**
                                 * @description CLAIMED: a replica is submitting it right now
                                 * @enum {string}
                                 */
                                outcome: "CLAIMED" | "SUBMITTED" | "SKIPPED" | "FAILED";
                                /** @description the job this run submitted */
                                jobId?: string;
                                /** @description the state of that job; absent once it was deleted */
                                jobState?: string;
                                /** @description earlier ticks missed while the service was down, folded into this one */
                                missedTicks: number;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/schedule-preview": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The next times a cron schedule fires in a time zone (for forms), or a 400 naming cron or timeZone */
        get: {
            parameters: {
                query: {
                    cron: string;
                    timeZone?: string;
                    count?: number;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            nextRunTimes: string[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's (an admin's: anyone's) registered models, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            models: {
                                name: string;
                                owner: string;
                                latestVersion: number;
                                createTime: string;
                                updateTime: string;
                                versions?: components["schemas"]["ModelVersion"][];
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Register a saved model folder as the next version of its model */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        /** @description saved model folder relative to rootDir */
                        path: string;
                        name?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelVersion"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One model with its versions, newest first */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            name: string;
                            owner: string;
                            latestVersion: number;
                            createTime: string;
                            updateTime: string;
                            versions?: components["schemas"]["ModelVersion"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/models/{name}/versions/{version}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One model version */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    name: string;
                    version: number;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelVersion"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/jobs/{jobId}/models": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Register the model a succeeded job (or one of its trials; an HPO job's best trial by default) saved */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    jobId: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        trialId?: string;
                        /** @description which saved model, when the run saved several */
                        modelName?: string;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["ModelVersion"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's (an admin's: anyone's) deployments */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's, or `*` for everyone's; each item names its owner); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deployments: components["schemas"]["Deployment"][];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        /** Deploy a model version (or the model a job saved) on its own model server */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        name: string;
                        model?: {
                            name: string;
                            version?: number;
                        };
                        source?: {
                            jobId: string;
                            trialId?: string;
                        };
                        /**
                         * @description where the model servers run; the service's default backend when absent
                         * @enum {string}
                         */
                        backend?: "local" | "kubernetes";
                        /** @description model server pods on Kubernetes; the local backend runs exactly one */
                        replicas?: number;
                        /** @description Kubernetes only: what each replica requests (and is limited to) */
                        resources?: {
                            /** @description CPU cores per replica (default 0.5) */
                            cpu?: number;
                            /** @description memory per replica in GiB (default 1) */
                            memoryGb?: number;
                            /** @description GPUs per replica (nvidia.com/gpu) */
                            gpu?: number;
                            /** @description GPU type, e.g. NVIDIA_TESLA_V100 (a node selector) */
                            acceleratorType?: string;
                        };
                        /**
                         * @description Kubernetes only: the PriorityClass of the pods (default middle)
                         * @enum {string}
                         */
                        priority?: "high" | "middle" | "low";
                        autoscaling?: {
                            /** @description 0 allows scale to zero (inflight only): the first request then waits for a ready replica */
                            minReplicas: number;
                            maxReplicas: number;
                            /**
                             * @description what decides the replicas: requests in flight (default) or CPU use
                             * @enum {string}
                             */
                            metric?: "inflight" | "cpu";
                            /** @description inflight: requests in flight per replica aimed at (default 4) */
                            targetInflight?: number;
                            /** @description cpu: average CPU use per replica aimed at, in percent of its CPU request (resources.cpu, also its limit, so use never passes 100); default 60 */
                            targetCpuPercent?: number;
                            /** @description how long a lower load must last before replicas go (and without any request, before scaling to zero); default 60 */
                            scaleDownDelaySeconds?: number;
                        };
                        monitoring?: {
                            windowSeconds?: number;
                            drift?: {
                                /** @enum {string} */
                                numeric?: "psi" | "ks" | "wasserstein";
                                /** @enum {string} */
                                categorical?: "js" | "chi2";
                                threshold?: number;
                            };
                            alerts?: {
                                name: string;
                                /** @enum {string} */
                                metric: "drift" | "latencyP99Ms" | "errorRate";
                                threshold: number;
                            }[];
                        };
                    };
                };
            };
            responses: {
                /** @description Default Response */
                201: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                409: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One deployment */
        get: {
            parameters: {
                query?: {
                    /** @description whose (admins only, for another user's); the caller's own when absent */
                    owner?: string;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                403: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        /** Stop the model server and remove the deployment */
        delete: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        options?: never;
        head?: never;
        /** Switch the model version (traffic moves once the new server is ready) or change monitoring */
        patch: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody: {
                content: {
                    "application/json": {
                        model?: {
                            name: string;
                            version?: number;
                        };
                        monitoring?: {
                            windowSeconds?: number;
                            drift?: {
                                /** @enum {string} */
                                numeric?: "psi" | "ks" | "wasserstein";
                                /** @enum {string} */
                                categorical?: "js" | "chi2";
                                threshold?: number;
                            };
                            alerts?: {
                                name: string;
                                /** @enum {string} */
                                metric: "drift" | "latencyP99Ms" | "errorRate";
                                threshold: number;
                            }[];
                        };
                        challenger?: {
                            model?: {
                                name: string;
                                version?: number;
                            };
                            /** @enum {string} */
                            mode?: "canary" | "shadow";
                            /** @description canary percent for the challenger (default 10) */
                            weight?: number;
                        } | null;
                        /** @description the whole set of challengers: those not listed are removed, listed ones added or changed in place; canary weights sum to at most 100 */
                        challengers?: {
                            model: {
                                name: string;
                                version?: number;
                            };
                            /** @enum {string} */
                            mode?: "canary" | "shadow";
                            /** @description canary percent for this challenger (default: its current weight, else 10) */
                            weight?: number;
                        }[];
                        /** @description model server pods of each served version on Kubernetes (no restart); the local backend runs exactly one */
                        replicas?: number;
                        autoscaling?: {
                            /** @description 0 allows scale to zero (inflight only): the first request then waits for a ready replica */
                            minReplicas: number;
                            maxReplicas: number;
                            /**
                             * @description what decides the replicas: requests in flight (default) or CPU use
                             * @enum {string}
                             */
                            metric?: "inflight" | "cpu";
                            /** @description inflight: requests in flight per replica aimed at (default 4) */
                            targetInflight?: number;
                            /** @description cpu: average CPU use per replica aimed at, in percent of its CPU request (resources.cpu, also its limit, so use never passes 100); default 60 */
                            targetCpuPercent?: number;
                            /** @description how long a lower load must last before replicas go (and without any request, before scaling to zero); default 60 */
                            scaleDownDelaySeconds?: number;
                        } | null;
                    };
                };
            };
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        trace?: never;
    };
    "/api/v1/deployments/{name}/promote": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make a ready challenger the champion (no restart; the old champion drains and stops, the other challengers stay) */
        post: {
            parameters: {
                query?: {
                    /** @description which challenger; may be left out when there is only one */
                    version?: number;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Deployment"];
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/monitoring/versions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Champion and challengers side by side: requests, errors, latency, predictions, shadow agreement per challenger */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            versions: {
                                model: string;
                                version: number;
                                role: "champion" | "challenger";
                                requests: number;
                                /** @description answers that went to the caller (the rest were shadow copies) */
                                returned: number;
                                errors: number;
                                errorRate: number;
                                latencyMs: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                };
                                predictions: {
                                    value: string;
                                    count: number;
                                }[];
                                predictionMean: number | null;
                                /** @description a challenger's shadow answers compared with the champion's; null for the champion */
                                agreement: {
                                    compared: number;
                                    agreed: number;
                                    rate: number | null;
                                } | null;
                                /** @description a challenger: Jensen-Shannon distance of its predictions from the champion's */
                                predictionDrift: number | null;
                            }[];
                            /** @description every challenger's shadow comparisons together */
                            agreement: {
                                compared: number;
                                agreed: number;
                                rate: number | null;
                            };
                            shadowDropped: number;
                            /** @description the largest Jensen-Shannon distance of a challenger's predictions from the champion's */
                            predictionDrift: number | null;
                            recentShadow: {
                                time: string;
                                /** @description the challenger's version */
                                version: number;
                                champion: unknown[] | null;
                                challenger: unknown[] | null;
                                agree: boolean;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/v2/models/{model}/infer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Inference (Open Inference Protocol v2) on the deployment's model server
         * @description Answers what the model server answered (Open Inference Protocol v2); errors in the service shape. Body limit: --max-infer-bytes.
         */
        post: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                413: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                502: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/v2/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The model server's liveness (503 while no server is ready)
         * @description Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/v2/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The model server's readiness (503 while no server is ready)
         * @description Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/v2/models/{model}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model metadata from the model server
         * @description Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/v2/models/{model}/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Model readiness from the model server
         * @description Answers what the model server answered (Open Inference Protocol v2); errors in the service shape.
         */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                    model: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                503: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/monitoring": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Request series, drift against the training baseline, and alerts of a deployment */
        get: {
            parameters: {
                query?: {
                    /** @description ISO 8601 start of the series (default: an hour ago) */
                    since?: string;
                    /** @description seconds per series point */
                    step?: number;
                };
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            deployment: string;
                            windowSeconds: number;
                            step: number;
                            series: {
                                time: string;
                                requests: number;
                                errors: number;
                                clientErrors: number;
                                serverErrors: number;
                                errorRate: number;
                                latencyMs: {
                                    p50: number | null;
                                    p95: number | null;
                                    p99: number | null;
                                    mean: number | null;
                                };
                            }[];
                            drift: {
                                time: string;
                                rows: number;
                                score: number;
                                feature: string | null;
                                drifted: boolean;
                                metric: {
                                    /** @enum {string} */
                                    numeric: "psi" | "ks" | "wasserstein";
                                    /** @enum {string} */
                                    categorical: "js" | "chi2";
                                    threshold: number;
                                };
                                features: {
                                    name: string;
                                    /** @enum {string} */
                                    kind: "numeric" | "categorical";
                                    psi?: number;
                                    ks?: number;
                                    ksPValue?: number;
                                    wasserstein?: number;
                                    js?: number;
                                    chi2PValue?: number;
                                    /** @description the configured metric, larger is more drift (1 - p-value for chi2) */
                                    score: number;
                                    drifted: boolean;
                                    rows: number;
                                    baseline: {
                                        edges?: number[];
                                        counts?: number[];
                                        categories?: {
                                            [key: string]: number;
                                        };
                                    };
                                    live: {
                                        edges?: number[];
                                        counts?: number[];
                                        categories?: {
                                            [key: string]: number;
                                        };
                                    };
                                }[];
                                prediction: {
                                    name: string;
                                    /** @enum {string} */
                                    kind: "numeric" | "categorical";
                                    psi?: number;
                                    ks?: number;
                                    ksPValue?: number;
                                    wasserstein?: number;
                                    js?: number;
                                    chi2PValue?: number;
                                    /** @description the configured metric, larger is more drift (1 - p-value for chi2) */
                                    score: number;
                                    drifted: boolean;
                                    rows: number;
                                    baseline: {
                                        edges?: number[];
                                        counts?: number[];
                                        categories?: {
                                            [key: string]: number;
                                        };
                                    };
                                    live: {
                                        edges?: number[];
                                        counts?: number[];
                                        categories?: {
                                            [key: string]: number;
                                        };
                                    };
                                } | null;
                            } | null;
                            alerts: {
                                id: string;
                                deployment: string;
                                rule: string;
                                /** @enum {string} */
                                metric: "drift" | "latencyP99Ms" | "errorRate";
                                /** @description the measured value when the alert fired */
                                value: number;
                                threshold: number;
                                /** @enum {string} */
                                state: "firing" | "resolved";
                                startTime: string;
                                endTime: string | null;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                400: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/v1/deployments/{name}/alerts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A deployment's alerts, firing and resolved, newest first */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path: {
                    name: string;
                };
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Default Response */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": {
                            alerts: {
                                id: string;
                                deployment: string;
                                rule: string;
                                /** @enum {string} */
                                metric: "drift" | "latencyP99Ms" | "errorRate";
                                /** @description the measured value when the alert fired */
                                value: number;
                                threshold: number;
                                /** @enum {string} */
                                state: "firing" | "resolved";
                                startTime: string;
                                endTime: string | null;
                                message: string;
                            }[];
                        };
                    };
                };
                /** @description Default Response */
                401: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
                /** @description Default Response */
                404: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "application/json": components["schemas"]["Error"];
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus metrics of the caller's deployments (text exposition format) */
        get: {
            parameters: {
                query?: never;
                header?: never;
                path?: never;
                cookie?: never;
            };
            requestBody?: never;
            responses: {
                /** @description Prometheus text format 0.0.4 */
                200: {
                    headers: {
                        [name: string]: unknown;
                    };
                    content: {
                        "text/plain": string;
                    };
                };
            };
        };
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        Error: {
            error: {
                code: string;
                message: string;
                field?: string;
            };
        };
        ModelVersion: {
            name: string;
            version: number;
            /** @enum {string} */
            framework: "sklearn" | "xgboost" | "lightgbm";
            frameworkVersion: string;
            task: string;
            /** @description the saved model folder, relative to rootDir */
            artifactDir: string;
            signature: unknown;
            hasBaseline: boolean;
            source: {
                jobId: string | null;
                trialId: string | null;
                hyperparameters: {
                    [key: string]: unknown;
                };
                metrics: {
                    [key: string]: number;
                };
            };
            createTime: string;
        };
        Deployment: {
            name: string;
            owner: string;
            /** @enum {string} */
            state: "DEPLOYING" | "READY" | "UPDATING" | "FAILED" | "DELETING";
            /** @description the version answering requests */
            model: {
                name: string;
                version: number;
            };
            /** @description UPDATING: the version being started */
            nextModel?: {
                name: string;
                version: number;
            };
            replicas: number;
            /**
             * @description where the model servers run (absent: local)
             * @enum {string}
             */
            backend?: "local" | "kubernetes";
            endpoint: string;
            errorMessage: string;
            restarts: number;
            createTime: string;
            updateTime: string;
            monitoring: {
                windowSeconds?: number;
                drift?: {
                    /** @enum {string} */
                    numeric?: "psi" | "ks" | "wasserstein";
                    /** @enum {string} */
                    categorical?: "js" | "chi2";
                    threshold?: number;
                };
                alerts?: {
                    name: string;
                    /** @enum {string} */
                    metric: "drift" | "latencyP99Ms" | "errorRate";
                    threshold: number;
                }[];
            };
            /** @description versions served beside the champion, oldest first */
            challengers?: {
                model: {
                    name: string;
                    version: number;
                };
                /** @enum {string} */
                mode: "canary" | "shadow";
                /** @description canary: percent of requests answered by the challenger; shadow: 0 */
                weight: number;
                /** @enum {string} */
                state: "DEPLOYING" | "READY" | "FAILED";
                errorMessage: string;
                restarts: number;
            }[];
            /** @description a second version served beside the champion (canary split or shadow copy) */
            challenger?: {
                model: {
                    name: string;
                    version: number;
                };
                /** @enum {string} */
                mode: "canary" | "shadow";
                /** @description canary: percent of requests answered by the challenger; shadow: 0 */
                weight: number;
                /** @enum {string} */
                state: "DEPLOYING" | "READY" | "FAILED";
                errorMessage: string;
                restarts: number;
            };
            autoscaling?: {
                /** @description 0 allows scale to zero (inflight only): the first request then waits for a ready replica */
                minReplicas: number;
                maxReplicas: number;
                /**
                 * @description what decides the replicas: requests in flight (default) or CPU use
                 * @enum {string}
                 */
                metric?: "inflight" | "cpu";
                /** @description inflight: requests in flight per replica aimed at (default 4) */
                targetInflight?: number;
                /** @description cpu: average CPU use per replica aimed at, in percent of its CPU request (resources.cpu, also its limit, so use never passes 100); default 60 */
                targetCpuPercent?: number;
                /** @description how long a lower load must last before replicas go (and without any request, before scaling to zero); default 60 */
                scaleDownDelaySeconds?: number;
            };
            stateHistory: {
                /** @enum {string} */
                state: "DEPLOYING" | "READY" | "UPDATING" | "FAILED" | "DELETING";
                time: string;
                reason: string;
            }[];
        };
        DeleteOutcome: {
            jobId: string;
            deleted: boolean;
            error?: {
                code: string;
                message: string;
            };
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export type operations = Record<string, never>;

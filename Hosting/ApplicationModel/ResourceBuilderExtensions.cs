using InterimPlatform.Hosting.State;

namespace InterimPlatform.Hosting.ApplicationModel;

/// <summary>A resource being declared, with the app it belongs to (Aspire's IResourceBuilder).</summary>
public sealed class ResourceBuilder<T>(DistributedApplicationBuilder application, T resource) where T : Resource
{
    public DistributedApplicationBuilder ApplicationBuilder { get; } = application;

    public T Resource { get; } = resource;
}

/// <summary>The declaration methods of the app model, named as in .NET Aspire.</summary>
public static class ResourceBuilderExtensions
{
    public static ResourceBuilder<PostgresServerResource> AddPostgres(this DistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new PostgresServerResource(name));

    public static ResourceBuilder<PostgresServerResource> WithDataVolume(this ResourceBuilder<PostgresServerResource> builder)
    {
        builder.Resource.PersistentData = true;
        return builder;
    }

    public static ResourceBuilder<PostgresDatabaseResource> AddDatabase(this ResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        var database = new PostgresDatabaseResource(name, builder.Resource, databaseName ?? name);
        builder.Resource.Databases.Add(database);
        return builder.ApplicationBuilder.AddResource(database);
    }

    public static ResourceBuilder<RabbitMQServerResource> AddRabbitMQ(this DistributedApplicationBuilder builder, string name) =>
        builder.AddResource(new RabbitMQServerResource(name));

    public static ResourceBuilder<RabbitMQServerResource> WithManagementPlugin(this ResourceBuilder<RabbitMQServerResource> builder)
    {
        builder.Resource.ManagementPlugin = true;
        return builder;
    }

    /// <summary>A stable AMQP port, for clients outside the app model (partner networks).</summary>
    public static ResourceBuilder<RabbitMQServerResource> WithAmqpPort(this ResourceBuilder<RabbitMQServerResource> builder, int port)
    {
        builder.Resource.AmqpPort = port;
        return builder;
    }

    public static ResourceBuilder<RabbitMQServerResource> WithDataVolume(this ResourceBuilder<RabbitMQServerResource> builder)
    {
        builder.Resource.PersistentData = true;
        return builder;
    }

    /// <summary>Declares exchanges, queues and users (with credentials kept in the state folder) once the node is up.</summary>
    public static ResourceBuilder<RabbitMQServerResource> WithTopology(this ResourceBuilder<RabbitMQServerResource> builder, Func<StateFolder, RabbitMQProvisioning> provisioning)
    {
        builder.Resource.Provisioning.Add(provisioning);
        return builder;
    }

    /// <summary>Adds a project by its path, relative to the AppHost project's folder.</summary>
    public static ResourceBuilder<ProjectResource> AddProject(this DistributedApplicationBuilder builder, string name, string projectPath) =>
        builder.AddResource(new ProjectResource(name, Path.GetFullPath(Path.Combine(builder.AppHostDirectory, projectPath))));

    /// <summary>Gives the project <c>ConnectionStrings__{name}</c> for the resource.</summary>
    public static ResourceBuilder<ProjectResource> WithReference<T>(this ResourceBuilder<ProjectResource> builder, ResourceBuilder<T> source)
        where T : Resource, IResourceWithConnectionString
    {
        builder.Resource.ConnectionReferences.Add(source.Resource);
        return builder;
    }

    /// <summary>Gives the project <c>services__{name}__http__0</c> for the other project (service discovery).</summary>
    public static ResourceBuilder<ProjectResource> WithReference(this ResourceBuilder<ProjectResource> builder, ResourceBuilder<ProjectResource> service)
    {
        builder.Resource.ServiceReferences.Add(service.Resource);
        return builder;
    }

    /// <summary>Starts this resource only once <paramref name="dependency"/> is running and healthy.</summary>
    public static ResourceBuilder<T> WaitFor<T, TDependency>(this ResourceBuilder<T> builder, ResourceBuilder<TDependency> dependency)
        where T : Resource
        where TDependency : Resource
    {
        builder.Resource.WaitsFor.Add(dependency.Resource);
        return builder;
    }

    /// <summary>A stable, public HTTP endpoint on localhost instead of a free loopback port.</summary>
    public static ResourceBuilder<ProjectResource> WithHttpEndpoint(this ResourceBuilder<ProjectResource> builder, int port)
    {
        builder.Resource.FixedPort = port;
        builder.Resource.Host = "localhost";
        return builder;
    }

    /// <summary>
    /// Runs <paramref name="replicas"/> instances of the project (Aspire's WithReplicas): the first keeps the
    /// project's name, the others are <c>{name}-2</c>, …; each has its own free port, and projects that reference
    /// this one get every instance (<c>services__{name}__http__0</c>, <c>__1</c>, …).
    /// </summary>
    public static ResourceBuilder<ProjectResource> WithReplicas(this ResourceBuilder<ProjectResource> builder, int replicas)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(replicas, 1);
        builder.Resource.Replicas = replicas;
        return builder;
    }

    public static ResourceBuilder<ProjectResource> WithEnvironment(this ResourceBuilder<ProjectResource> builder, string name, string value)
    {
        builder.Resource.Environment[name] = value;
        return builder;
    }

    /// <summary>An environment variable whose value comes from the state folder (a per-installation secret), read at start.</summary>
    public static ResourceBuilder<ProjectResource> WithEnvironment(this ResourceBuilder<ProjectResource> builder, string name, Func<State.StateFolder, string> value)
    {
        builder.Resource.StateEnvironment[name] = value;
        return builder;
    }
}
